// A connection card's data for the viewer's own filter values: GET /d/<slug>/cells/<name>?values=<JSON> → Arrow
// IPC stream (issue 21). A SvelteKit endpoint rather than a raw route: the result is held whole anyway (it is
// cached for every viewer), so there is nothing to stream, and here the client address comes from adapter-node's
// getClientAddress — behind a proxy, the same ADDRESS_HEADER the login limits trust — and the user from the
// session hook. Access, checks, cache and limits: server/publish/live-cell.ts.
import { loadConfig } from '$server/config';
import { appSecretBox } from '$server/connectors/secret-box';
import { getDb } from '$server/db/instance';
import { apiError } from '$server/http/respond';
import { requestGone } from '$server/http/request-gone';
import { liveCellResult, liveCellState } from '$server/publish/live-cell';

export async function GET({ locals, params, url, request, platform, getClientAddress }) {
  const config = loadConfig();
  const gone = requestGone(request, platform);
  try {
    const db = await getDb();
    const { result, served } = await liveCellResult(
      db,
      {
        dataDir: config.dataDir,
        secretBox: () => appSecretBox(config),
        ...liveCellState(db, config.liveCells)
      },
      {
        slug: params.slug,
        name: params.name,
        values: url.searchParams.get('values'),
        userId: locals.user?.id ?? null,
        address: getClientAddress(),
        signal: gone.signal
      }
    );
    return new Response(result.ipc, {
      headers: {
        'content-type': 'application/vnd.apache.arrow.stream',
        // Members-only data must not sit in a shared cache; the server's own cache serves repeats.
        'cache-control': 'private, no-store',
        'x-sheaf-rows': String(result.rows),
        'x-sheaf-truncated': String(result.truncated),
        'x-sheaf-cache': served
      }
    });
  } catch (e) {
    // The viewer left: nobody reads an answer.
    if (gone.signal.aborted) return new Response(null, { status: 499 });
    return apiError(e);
  } finally {
    gone.done();
  }
}
