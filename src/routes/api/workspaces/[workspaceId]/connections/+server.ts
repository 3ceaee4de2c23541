// A workspace's database connections: list (members; viewers see names only) and add (editors and owners).
import { json } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { appSecretBox } from '$server/connectors/secret-box';
import { createConnection, listConnections } from '$server/connectors/store';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { workspaceIdParam } from '$server/ids';
import { apiError } from '$server/http/respond';
import { jsonBody } from '$server/http/json-body';

export async function GET({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to see connections.');
    return json(await listConnections(await getDb(), locals.user.id, workspaceIdParam(params.workspaceId)));
  } catch (e) {
    return apiError(e);
  }
}

export async function POST({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to add connections.');
    const connection = await createConnection(await getDb(), appSecretBox(loadConfig()), {
      userId: locals.user.id,
      workspaceId: workspaceIdParam(params.workspaceId),
      input: await jsonBody(request)
    });
    return json({ connection }, { status: 201 });
  } catch (e) {
    return apiError(e);
  }
}
