// A connection's tables and columns: GET answers from the cache (reading the database the first time),
// POST reads the database again ("refresh"). A read stops when the browser goes away (and on its own deadline).
import { json, type RequestEvent } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { requestGone } from '$server/http/request-gone';
import { connectionSchema } from '$server/connectors/schema-cache';
import { appSecretBox } from '$server/connectors/secret-box';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { connectionIdParam } from '$server/ids';
import { apiError } from '$server/http/respond';

async function answer(
  { locals, request, platform }: Pick<RequestEvent, 'locals' | 'request' | 'platform'>,
  connectionId: string,
  refresh: boolean
) {
  const gone = requestGone(request, platform);
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to see schemas.');
    return json(
      await connectionSchema(await getDb(), appSecretBox(loadConfig()), {
        userId: locals.user.id,
        connectionId: connectionIdParam(connectionId),
        refresh,
        signal: gone.signal
      })
    );
  } catch (e) {
    return apiError(e);
  } finally {
    gone.done();
  }
}

export const GET = (event) => answer(event, event.params.connectionId, false);
export const POST = (event) => answer(event, event.params.connectionId, true);
