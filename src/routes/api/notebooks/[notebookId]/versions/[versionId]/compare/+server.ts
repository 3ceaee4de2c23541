// A version compared with the notebook now, or with another version (?with=id), cell by cell (viewers).
import { json } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { notebookIdParam } from '$server/ids';
import { apiError } from '$server/http/respond';
import { compareVersion, versionIdParam } from '$server/versions/versions';

export async function GET({ locals, params, url }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to see this notebook’s history.');
    const notebookId = notebookIdParam(params.notebookId);
    const versionId = versionIdParam(params.versionId);
    const other = url.searchParams.get('with');
    const db = await getDb();
    return json(
      await compareVersion(
        db,
        locals.user.id,
        notebookId,
        versionId,
        other ? versionIdParam(other) : undefined
      )
    );
  } catch (e) {
    return apiError(e);
  }
}
