// The workspace's uploaded files: name, rows, columns with types, size.
import { json } from '@sveltejs/kit';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { workspaceIdParam } from '$server/ids';
import { listFiles } from '$server/files/files';
import { apiError } from '$server/http/respond';

export async function GET({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to see files.');
    return json({
      files: await listFiles(await getDb(), locals.user.id, workspaceIdParam(params.workspaceId))
    });
  } catch (e) {
    return apiError(e);
  }
}
