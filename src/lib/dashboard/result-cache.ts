// The results of a dashboard's cells recomputed in this viewer's browser, by what they were computed from (the cell's
// query, the values it binds, what its upstream held: Recompute's key), kept for the page's life so that going back
// to values seen before (a viewer toggling between two regions, a cross-filter clicked and cleared) needs no query.
// Only results that depend on nothing but the snapshot and the values are kept: the published base tables never
// change under a page, but a connection cell's result may (the server re-runs it), so nothing downstream of one is.
// Bounded by bytes, least recently used out first. A page that sets `window.__sheafNoResultCache` keeps nothing
// (bench:filter measures the path without the cache that way, beside the one with it).
import type { Table } from 'apache-arrow';

/** What a page keeps at most; a filter's results are aggregates, usually kilobytes each. */
export const RESULT_CACHE_BYTES = 32 * 1024 ** 2;

export class ResultCache {
  private entries = new Map<string, { table: Table; bytes: number }>(); // least recently used first
  private total = 0;

  constructor(private budget = RESULT_CACHE_BYTES) {
    if ((globalThis as { __sheafNoResultCache?: boolean }).__sheafNoResultCache) this.budget = 0;
  }

  get(key: string): Table | undefined {
    const found = this.entries.get(key);
    if (!found) return undefined;
    this.entries.delete(key);
    this.entries.set(key, found);
    return found.table;
  }

  /** Keeps `table` for `key`, unless it alone would take more than a quarter of the budget. */
  set(key: string, table: Table): void {
    const bytes = tableBytes(table);
    if (bytes > this.budget / 4) return;
    this.delete(key);
    this.entries.set(key, { table, bytes });
    this.total += bytes;
    for (const [oldest] of this.entries) {
      if (this.total <= this.budget) break;
      this.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(key: string): void {
    const found = this.entries.get(key);
    if (!found) return;
    this.entries.delete(key);
    this.total -= found.bytes;
  }
}

/** The bytes of a table's buffers (at least one per row, so that many empty-looking rows still count). */
function tableBytes(table: Table): number {
  return Math.max(
    table.numRows,
    table.data.reduce((sum, d) => sum + d.byteLength, 0)
  );
}
