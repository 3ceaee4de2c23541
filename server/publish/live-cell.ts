// A published connection cell's result for a dashboard viewer's own filter values (issue 21), as Arrow IPC:
// same access as the dashboard page; only cells the snapshot lists to run on the server; the SQL and connection
// from the frozen document; the viewer's values checked against the published inputs and bound as parameters.
// Results are shared through a cache keyed by (snapshot, cell, bound values); a viewer's runs that miss it are
// rate-limited. Runs use the publisher's access, a short deadline and a row cap, and stop when nobody waits.
import { tableToIPC } from 'apache-arrow';
import type { SecretBox } from '../connectors/secret-box';
import { networkOf, RateLimiter } from '../auth/rate-limit';
import type { Queryable } from '../db/types';
import { AppError, notFound } from '../errors';
import type { UserId } from '../ids';
import { runOnConnection } from './connection-run';
import { dashboardAccess, editsIt } from './dashboard-access';
import { SharedResultCache, type Served } from './live-cache';
import { livePlan } from './live-plan';
import { boundKey, parseValuesParam, viewerValues } from './live-values';

/** Longest a viewer's re-run may take on the database (lower if the connection says so). */
export const LIVE_STATEMENT_S = 30;
/** Most rows a viewer's re-run returns (lower if the connection says so): a card's data, not an export. */
export const LIVE_MAX_ROWS = 100_000;
/** How long a result is served from the cache before the database is asked again. */
export const LIVE_TTL_MS = 5 * 60_000;

export type LiveResult = { ipc: Uint8Array<ArrayBuffer>; rows: number; truncated: boolean; bytes: number };

export type LiveCellDeps = {
  dataDir: string;
  secretBox: () => SecretBox;
  cache: SharedResultCache<LiveResult>;
  /** Runs that miss the cache, per viewer. */
  limiter: RateLimiter;
  /**
   * Runs that miss the cache, per dashboard: anyone can sign up, so many accounts (or addresses) could each
   * spend their own budget on one publisher's database.
   */
  perDashboard: RateLimiter;
};

/** A dashboard's budget of runs that miss the cache, per viewer's budget: a busy page, not a single attacker. */
export const DASHBOARD_BUDGET_FACTOR = 15;

export type LiveRequest = {
  slug: string;
  name: string;
  /** The `values` URL parameter (JSON), or null for the values as published. */
  values: string | null;
  userId: UserId | null;
  /** The client's address, for viewers who are not signed in. */
  address: string;
  /** Aborts when the viewer goes away. */
  signal?: AbortSignal;
};

/**
 * The process-wide result cache (shared by every copy of this module), and the rate limits, kept in the database
 * so that they hold across app servers. Each server keeps its own cache: a miss on one costs one run there.
 */
export function liveCellState(db: Queryable, config: { perMinute: number; cacheBytes: number }) {
  const KEY = Symbol.for('sheaf.liveCells');
  const g = globalThis as typeof globalThis & { [KEY]?: SharedResultCache<LiveResult> };
  g[KEY] ??= new SharedResultCache<LiveResult>({ ttlMs: LIVE_TTL_MS, maxBytes: config.cacheBytes });
  return { cache: g[KEY], ...liveCellLimiters(db, config.perMinute) };
}

/** Runs that miss the cache: `perMinute` per viewer, DASHBOARD_BUDGET_FACTOR times that per dashboard. */
export function liveCellLimiters(db: Queryable, perMinute: number) {
  const limit = (n: number) => ({ capacity: n, refillEveryMs: 60_000 / n });
  return {
    limiter: new RateLimiter(db, 'live.viewer', limit(perMinute)),
    perDashboard: new RateLimiter(db, 'live.dashboard', limit(perMinute * DASHBOARD_BUDGET_FACTOR))
  };
}

/** When a run failed: the reason may quote the database, which only the notebook's editors read (as for refreshes). */
class RunFailed extends Error {}

export async function liveCellResult(
  db: Queryable,
  deps: LiveCellDeps,
  req: LiveRequest
): Promise<{ result: LiveResult; served: Served }> {
  const access = await dashboardAccess(db, req.slug, req.userId);
  const { row } = access;
  const plan = await livePlan(deps.dataDir, row);
  const cell = plan.cells.get(req.name.toLowerCase());
  if (!cell) throw notFound('A card that follows filters by that name');
  const values = viewerValues(plan.inputs, plan.published, parseValuesParam(req.values));
  const key = `${row.snapshot_id}\u0000${cell.name.toLowerCase()}\u0000${boundKey(values, cell.references)}`;
  const viewer = req.userId ? `user:${req.userId}` : `net:${networkOf(req.address)}`;

  const { value, served } = await deps.cache
    .load(
      key,
      req.signal,
      async (signal) => {
        try {
          const run = await runOnConnection(
            db,
            deps.secretBox(),
            { publishedBy: row.published_by, workspaceId: row.workspace_id },
            cell,
            values,
            { signal, maxStatementS: LIVE_STATEMENT_S, maxRows: LIVE_MAX_ROWS }
          );
          // A fresh buffer of its own (never a SharedArrayBuffer), as a Response body must be.
          const ipc = tableToIPC(run.table, 'stream') as Uint8Array<ArrayBuffer>;
          return { ipc, rows: run.rows, truncated: run.truncated, bytes: ipc.byteLength };
        } catch (e) {
          // Scrubbed of the connection's details already (connection-run.ts).
          throw new RunFailed(e instanceof Error ? e.message : String(e), { cause: e });
        }
      },
      async () => {
        const mine = await deps.limiter.peek(viewer);
        if (!mine.ok)
          throw new AppError(
            'rate_limited',
            `You changed filters very often: new data can be loaded again in ${mine.retryAfterS} s.`,
            { retryAfterS: mine.retryAfterS }
          );
        const board = await deps.perDashboard.consume(row.notebook_id);
        if (!board.ok)
          throw new AppError(
            'rate_limited',
            `Many people are changing filters on this dashboard: new data can be loaded again in ${board.retryAfterS} s.`,
            { retryAfterS: board.retryAfterS }
          );
        await deps.limiter.consume(viewer);
      }
    )
    .catch((e: unknown) => {
      if (!(e instanceof RunFailed)) throw e;
      const why = editsIt(access) ? `: ${e.message}` : '. Please try again later.';
      throw new AppError('unavailable', `The data for "${cell.name}" could not be loaded${why}`);
    });
  return { result: value, served };
}
