// Rename (the table name) or delete an uploaded file.
import { json } from '@sveltejs/kit';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { AppError } from '$server/errors';
import { deleteFile, renameFile } from '$server/files/files';
import { apiError } from '$server/http/respond';

export async function PATCH({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to rename files.');
    const body = await request.json().catch(() => {
      throw new AppError('invalid', 'Send the new name as JSON: {"tableName": "…"}.');
    });
    return json({ file: await renameFile(await getDb(), locals.user.id, params.fileId, body) });
  } catch (e) {
    return apiError(e);
  }
}

export async function DELETE({ locals, params }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to delete files.');
    await deleteFile(await getDb(), loadConfig().dataDir, locals.user.id, params.fileId);
    return new Response(null, { status: 204 });
  } catch (e) {
    return apiError(e);
  }
}
