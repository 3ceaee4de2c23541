// Edit or remove a connection (editors and owners). An edit without a password keeps the stored one.
import { json } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { forget } from '$server/connectors/engines';
import { appSecretBox } from '$server/connectors/secret-box';
import { deleteConnection, updateConnection } from '$server/connectors/store';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { connectionIdParam } from '$server/ids';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';

export async function PATCH({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to edit connections.');
    const connectionId = connectionIdParam(params.connectionId);
    const connection = await updateConnection(await getDb(), appSecretBox(loadConfig()), {
      userId: locals.user.id,
      connectionId,
      input: await jsonBody(request)
    });
    await forget(connectionId);
    return json({ connection });
  } catch (e) {
    return apiError(e);
  }
}

export async function DELETE({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to remove connections.');
    const connectionId = connectionIdParam(params.connectionId);
    await deleteConnection(await getDb(), locals.user.id, connectionId);
    await forget(connectionId);
    return new Response(null, { status: 204 });
  } catch (e) {
    return apiError(e);
  }
}
