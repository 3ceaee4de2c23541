// The dashboard page's first paint for the filter values in its URL (issue 21), when the server can: the URL read
// exactly as the browser reads it (cells/url-values.ts), every value allowed and some different from the
// published ones; then the cards that follow those inputs are computed here (first-paint-run.ts) and the browser
// shows them without loading its engine. "When it can": results are cached per (snapshot, values) within a TTL and
// byte budget (live-cache.ts), a render that misses the cache counts against the viewer's and the dashboard's
// live-cell rate limits, at most a few renders run at once on this server, and the page waits a short budget.
// Anything else — refused, limited, busy, failed or too slow — answers null, and the page is today's snapshot
// that the browser recomputes: never an error page because of this. A render that outlives the budget goes on and
// fills the cache for the next request.
import { tableFromIPC } from 'apache-arrow';
import type { LiveContent, RenderedCards } from '../../cells/card-content';
import type { PublishedDashboard } from '../../cells/published';
import { initialValues, readUrl, sameValue, type Values } from '../../cells/url-values';
import { networkOf } from '../auth/rate-limit';
import type { Queryable } from '../db/types';
import { isAppError } from '../errors';
import type { UserId } from '../ids';
import { dashboardAccess } from './dashboard-access';
import { paintCards } from './first-paint-run';
import { SharedResultCache } from './live-cache';
import { LIVE_TTL_MS, liveCellResult, type LiveCellDeps } from './live-cell';

/** What the server computed for the page: the values, and by cell id each card that follows them. */
export type Rendered = RenderedCards;

type Painted = { cards: Record<string, LiveContent>; bytes: number };

/** Renders running now, at most `max`; a render that finds none free falls back rather than queueing. */
export class RenderSlots {
  private running = 0;
  constructor(readonly max: number) {}
  get busy(): number {
    return this.running;
  }
  take(): boolean {
    if (this.running >= this.max) return false;
    this.running++;
    return true;
  }
  give(): void {
    this.running = Math.max(0, this.running - 1);
  }
}

export type FirstPaintDeps = LiveCellDeps & {
  paints: SharedResultCache<Painted>;
  slots: RenderSlots;
  /** How long the page load waits; 0: never computed here. */
  budgetMs: number;
};

/** Process-wide cache and slots (shared by every copy of this module, as the live-cell state is). */
export function firstPaintState(config: { cacheBytes: number; concurrent: number }) {
  const KEY = Symbol.for('sheaf.firstPaint');
  const g = globalThis as typeof globalThis & {
    [KEY]?: Pick<FirstPaintDeps, 'paints' | 'slots'>;
  };
  g[KEY] ??= {
    paints: new SharedResultCache<Painted>({ ttlMs: LIVE_TTL_MS, maxBytes: config.cacheBytes }),
    slots: new RenderSlots(config.concurrent)
  };
  return g[KEY];
}

export type FirstPaintRequest = {
  slug: string;
  /** The snapshot the page is showing (its dashboard as read for the page). */
  snapshotId: string;
  dashboard: PublishedDashboard;
  params: URLSearchParams;
  userId: UserId | null;
  address: string;
};

/** Why the page falls back (for logs and tests); null reasons are ordinary (nothing to compute). */
export type FirstPaint = { rendered: Rendered } | { rendered: null; why: string };

/** Reasons that hold for every request with the same URL and snapshot; the others (too slow, busy, limited, failed) may not. */
const LASTING = new Set(['off', 'refused', 'published values', 'no card follows']);

/** Whether the page would paint the same next time: computed, or not computed for a reason that lasts. */
export const settled = (p: FirstPaint): boolean => p.rendered !== null || LASTING.has(p.why);

class Declined extends Error {}

export async function firstPaint(
  db: Queryable,
  deps: FirstPaintDeps,
  req: FirstPaintRequest
): Promise<FirstPaint> {
  const interactive = req.dashboard.interactive;
  if (!interactive || deps.budgetMs <= 0) return { rendered: null, why: 'off' };
  const { values, refused } = readUrl(interactive.inputs, req.params);
  // A refused value shows the published one beside a message the browser writes: its recompute handles that.
  if (Object.keys(refused).length) return { rendered: null, why: 'refused' };
  const initial = initialValues(interactive.inputs);
  const changed = new Set(
    interactive.inputs
      .filter((i) => !sameValue(values[i.name] ?? null, initial[i.name] ?? null))
      .map((i) => i.name.toLowerCase())
  );
  if (!changed.size) return { rendered: null, why: 'published values' };
  const frozen = new Set(interactive.frozen.map((f) => f.cellId));
  const shown = new Set(req.dashboard.items.map((i) => i.cellId));
  const cards = interactive.cards.filter(
    (c) => !frozen.has(c.cellId) && shown.has(c.cellId) && c.inputs.some((n) => changed.has(n))
  );
  if (!cards.length) return { rendered: null, why: 'no card follows' };

  const viewer = req.userId ? `user:${req.userId}` : `net:${networkOf(req.address)}`;
  const key = `${req.snapshotId}\u0000${canonicalValues(values)}`;
  let timer: NodeJS.Timeout | undefined;
  const loading = (async () => {
    // Same access as the page, and the page's own snapshot (a refresh in between: the browser handles it).
    const { row } = await dashboardAccess(db, req.slug, req.userId);
    if (row.snapshot_id !== req.snapshotId) throw new Declined('refreshed meanwhile');
    return deps.paints.load(
      key,
      undefined, // nobody cancels: a render the page gave up on fills the cache for the next request
      async () => {
        try {
          const painted = await paintCards({
            dataDir: deps.dataDir,
            row,
            interactive,
            items: req.dashboard.items,
            values,
            cards,
            serverCell: async (name) => {
              const { result } = await liveCellResult(db, deps, {
                slug: req.slug,
                name,
                values: JSON.stringify(values),
                userId: req.userId,
                address: req.address
              });
              return tableFromIPC(result.ipc);
            }
          });
          return { cards: painted, bytes: JSON.stringify(painted, bigints).length * 2 };
        } finally {
          deps.slots.give();
        }
      },
      () => admit(deps, viewer, row.notebook_id)
    );
  })();
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), deps.budgetMs)));
  try {
    const done = await Promise.race([loading, late]);
    if (!done) {
      loading.catch((e: unknown) => logFailure(e));
      return { rendered: null, why: 'over budget' };
    }
    return { rendered: { values, cards: done.value.cards } };
  } catch (e) {
    return { rendered: null, why: logFailure(e) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Before a render that misses the cache: a free slot, then the viewer's and the dashboard's live-cell budgets
 * (a viewer changing URLs must not start workbench children without bound). Throws Declined otherwise.
 */
async function admit(deps: FirstPaintDeps, viewer: string, notebookId: string) {
  if (!deps.slots.take()) throw new Declined('busy');
  try {
    if (!(await deps.limiter.peek(viewer)).ok || !(await deps.perDashboard.consume(notebookId)).ok)
      throw new Declined('rate limited');
    await deps.limiter.consume(viewer);
  } catch (e) {
    deps.slots.give();
    throw e;
  }
}

function logFailure(e: unknown): string {
  if (e instanceof Declined) return e.message;
  // Refused access or a connection card's rate limit: the browser meets (and explains) the same.
  if (isAppError(e) && e.code !== 'unavailable') return `declined: ${e.message}`;
  const why = e instanceof Error ? e.message : String(e);
  console.warn('dashboard first paint fell back to the browser:', why);
  return `failed: ${why}`;
}

const bigints = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/** The values as one key: inputs in name order (they come from the URL, so their shapes are the widgets'). */
function canonicalValues(values: Values): string {
  return JSON.stringify(
    Object.keys(values)
      .sort()
      .map((k) => [k, values[k] ?? null])
  );
}
