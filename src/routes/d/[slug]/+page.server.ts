// A published dashboard: anyone with a public link, members for members-only ones. Editors of the notebook can
// refresh it; signed-in viewers can fork it when allowed. `?svg=0` leaves the server's chart SVG out (the
// benchmark compares first paint with and without it). A link with filter values gets its cards computed here
// when the server can (server/publish/first-paint.ts): `rendered`, which the browser shows without recomputing.
import { redirect } from '@sveltejs/kit';
import type { RenderedCards } from '$cells/card-content';
import { loadConfig } from '$server/config';
import { appSecretBox } from '$server/connectors/secret-box';
import { getDb } from '$server/db/instance';
import { isAppError } from '$server/errors';
import { actionFailure, pageError } from '$server/http/respond';
import { firstPaint, firstPaintState, settled } from '$server/publish/first-paint';
import { forkDashboard } from '$server/publish/fork-dashboard';
import { liveCellState } from '$server/publish/live-cell';
import { openDashboard } from '$server/publish/open-dashboard';
import { refreshAsEditor } from '$server/publish/publications';
import { canWrite } from '$server/workspaces/roles';
import { listWorkspaces } from '$server/workspaces/workspaces';
import { forkAction } from '$lib/server/fork-action';
import { requireUser } from '$lib/server/guard';

const deps = () => {
  const config = loadConfig();
  return { dataDir: config.dataDir, secretBox: () => appSecretBox(config) };
};

export async function load({ locals, params, url, setHeaders, getClientAddress }) {
  try {
    const db = await getDb();
    const config = loadConfig();
    const page = await openDashboard(db, config.dataDir, params.slug, locals.user?.id ?? null);
    const painted = await firstPaint(
      db,
      {
        dataDir: config.dataDir,
        secretBox: () => appSecretBox(config),
        ...liveCellState(db, config.liveCells),
        ...firstPaintState({ cacheBytes: config.liveCells.cacheBytes, ...config.firstPaint }),
        budgetMs: config.firstPaint.budgetMs
      },
      {
        slug: params.slug,
        snapshotId: page.snapshotId,
        dashboard: page.dashboard,
        params: url.searchParams,
        userId: locals.user?.id ?? null,
        address: getClientAddress()
      }
    );
    const withSvg = url.searchParams.get('svg') !== '0';
    const items = withSvg
      ? page.dashboard.items
      : page.dashboard.items.map((i) => (i.view === 'chart' ? { ...i, svg: null } : i));
    const forkTargets =
      page.canFork && locals.user
        ? (await listWorkspaces(db, locals.user.id))
            .filter((w) => canWrite(w.role))
            .map((w) => ({ id: w.id, name: w.name }))
        : [];
    // Viewers of a public link must not be served someone else's cached copy of a members-only page, nor the
    // other way round. The page cache replaces this for pages it keeps (src/lib/server/dashboard-page.ts), which
    // it does only for a page rendered completely from the snapshot it expected.
    setHeaders({ 'cache-control': 'private, no-store' });
    locals.pageRender = { snapshotId: page.snapshotId, settled: settled(painted) };
    return {
      ...page,
      dashboard: { ...page.dashboard, items },
      slug: params.slug,
      forkTargets,
      rendered: withSvg ? painted.rendered : withoutSvg(painted.rendered)
    };
  } catch (e) {
    if (isAppError(e) && e.code === 'unauthorized')
      redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`);
    pageError(e);
  }
}

/** `?svg=0`: server-computed charts without their drawing either. */
function withoutSvg(rendered: RenderedCards | null): RenderedCards | null {
  if (!rendered) return null;
  const cards = Object.entries(rendered.cards).map(([id, c]) => {
    if (c.view !== 'chart') return [id, c] as const;
    const { svg: _svg, ...rest } = c;
    return [id, rest] as const;
  });
  return { ...rendered, cards: Object.fromEntries(cards) };
}

export const actions = {
  refresh: async ({ locals, params, url }) => {
    const user = requireUser(locals, url);
    try {
      const status = await refreshAsEditor(await getDb(), deps(), user.id, params.slug);
      return { refreshed: true, refreshError: status.refreshError };
    } catch (e) {
      return actionFailure(e);
    }
  },
  fork: (event) =>
    forkAction(event, (db, dataDir, userId, input) =>
      forkDashboard(db, dataDir, userId, event.params.slug, input)
    )
};
