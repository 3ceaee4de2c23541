// A published chart's rows as Arrow IPC, for drawing it interactively after the server's SVG; same access as
// the dashboard page.
import { readFile } from 'node:fs/promises';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { notFound } from '$server/errors';
import { CellIdSchema, parseId } from '$server/ids';
import { apiError } from '$server/http/respond';
import { chartRowsPath } from '$server/publish/open-dashboard';

export async function GET({ locals, params }) {
  try {
    const file = await chartRowsPath(
      await getDb(),
      loadConfig().dataDir,
      params.slug,
      locals.user?.id ?? null,
      parseId(CellIdSchema, params.cellId, 'That chart')
    );
    const bytes = await readFile(file).catch(() => {
      throw notFound('That chart');
    });
    return new Response(bytes, {
      headers: { 'content-type': 'application/vnd.apache.arrow.stream', 'cache-control': 'private, no-store' }
    });
  } catch (e) {
    return apiError(e);
  }
}
