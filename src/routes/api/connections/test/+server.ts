// "Test connection" for the connection form: connects with the settings as typed and says what happened. The
// test stops when the browser goes away (and on its own deadline).
import { json } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { requestGone } from '$server/http/request-gone';
import { testConnection } from '$server/connectors/test-connection';
import { appSecretBox } from '$server/connectors/secret-box';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';

export async function POST({ locals, request, platform }) {
  const gone = requestGone(request, platform);
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to test connections.');
    const result = await testConnection(await getDb(), appSecretBox(loadConfig()), {
      userId: locals.user.id,
      input: await jsonBody(request),
      signal: gone.signal
    });
    return json(result);
  } catch (e) {
    return apiError(e);
  } finally {
    gone.done();
  }
}
