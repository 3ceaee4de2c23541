// What publishing now would let the dashboard's viewers download or re-run (server/publish/exposure.ts), for the
// publish panel; the notebook's editors only.
import { json } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { appSecretBox } from '$server/connectors/secret-box';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { apiError } from '$server/http/respond';
import { notebookIdParam } from '$server/ids';
import { publicationExposure } from '$server/publish/exposure';

export async function GET({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to publish this notebook.');
    const config = loadConfig();
    const exposure = await publicationExposure(
      await getDb(),
      { dataDir: config.dataDir, secretBox: () => appSecretBox(config) },
      locals.user.id,
      notebookIdParam(params.notebookId)
    );
    return json(exposure, { headers: { 'cache-control': 'private, no-store' } });
  } catch (e) {
    return apiError(e);
  }
}
