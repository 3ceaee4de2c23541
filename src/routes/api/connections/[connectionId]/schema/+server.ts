// A connection's tables and columns: GET answers from the cache (reading the database the first time),
// POST reads the database again ("refresh").
import { json } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { connectionSchema } from '$server/connectors/schema-cache';
import { appSecretBox } from '$server/connectors/secret-box';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { apiError } from '$server/http/respond';

async function answer(locals: App.Locals, connectionId: string, refresh: boolean) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to see schemas.');
    return json(
      await connectionSchema(await getDb(), appSecretBox(loadConfig()), {
        userId: locals.user.id,
        connectionId,
        refresh
      })
    );
  } catch (e) {
    return apiError(e);
  }
}

export const GET = ({ locals, params }) => answer(locals, params.connectionId, false);
export const POST = ({ locals, params }) => answer(locals, params.connectionId, true);
