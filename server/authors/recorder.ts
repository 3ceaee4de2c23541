// The room's record of who changed which cell, kept off the update path: the room notes each applied edit here
// (a Map operation), and rows are written to cell_edits in batches a second or so later. A write that fails is
// logged and retried with backoff; the rows stay in memory, bounded, and whatever has to be given up is logged
// with its count. Nothing here throws into the room or makes it wait.
import type { Db } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import { writeCellEdits, type CellEditRow } from './store';

const MINUTE = 60_000;

export type RecorderOptions = {
  /** Time between the first edit noted and its write. */
  flushMs: number;
  /** Longest wait between retries of a failing write. */
  maxBackoffMs: number;
  /** Rows held at most (a database down for long while people type); the oldest minutes go first beyond it. */
  maxPending: number;
};
export const RECORDER_DEFAULTS: RecorderOptions = {
  flushMs: 1_000,
  maxBackoffMs: 60_000,
  maxPending: 50_000
};

export type RecorderStats = { written: number; failedWrites: number; dropped: number };

export class CellEditRecorder {
  readonly stats: RecorderStats = { written: 0, failedWrites: 0, dropped: 0 };
  private pending = new Map<string, CellEditRow>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writing: Promise<void> | null = null;
  private failures = 0;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly notebookId: NotebookId,
    private readonly opts: RecorderOptions = RECORDER_DEFAULTS
  ) {}

  /** `by` changed `cellIds` at `at`. */
  note(by: UserId, cellIds: Iterable<string>, at: number = Date.now()): void {
    const minute = at - (at % MINUTE);
    for (const cellId of cellIds) this.merge({ cellId, userId: by, minute, firstAt: at, lastAt: at });
    if (this.pending.size > this.opts.maxPending) this.shed();
    this.schedule(this.opts.flushMs);
  }

  private merge(row: CellEditRow): void {
    const key = `${row.cellId}\u0000${row.userId}\u0000${row.minute}`;
    const had = this.pending.get(key);
    if (!had) this.pending.set(key, row);
    else {
      had.firstAt = Math.min(had.firstAt, row.firstAt);
      had.lastAt = Math.max(had.lastAt, row.lastAt);
    }
  }

  /** Over the bound: the oldest rows go (a Map iterates in insertion order), loudly. */
  private shed(): void {
    let n = this.pending.size - this.opts.maxPending;
    const dropped = n;
    for (const key of this.pending.keys()) {
      if (n-- <= 0) break;
      this.pending.delete(key);
    }
    this.stats.dropped += dropped;
    console.error(
      `collab: dropped ${dropped} unwritten cell attributions of notebook ${this.notebookId} (the database has been failing)`
    );
  }

  private schedule(ms: number): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
    this.timer.unref?.();
  }

  /** Writes what is pending now (after any write in flight). Never rejects; a failure is logged and retried. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.pending.size === 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = [...this.pending.values()];
    this.pending = new Map();
    this.writing = this.write(rows);
    try {
      await this.writing;
    } finally {
      this.writing = null;
    }
  }

  private async write(rows: CellEditRow[]): Promise<void> {
    try {
      await writeCellEdits(this.db, this.notebookId, rows);
      this.stats.written += rows.length;
      this.failures = 0;
    } catch (e) {
      this.stats.failedWrites++;
      this.failures++;
      // Back in the queue, merged with what arrived meanwhile; the next try waits longer each time.
      for (const r of rows) this.merge(r);
      if (this.pending.size > this.opts.maxPending) this.shed();
      const wait = Math.min(this.opts.maxBackoffMs, this.opts.flushMs * 2 ** this.failures);
      console.error(
        `collab: could not record who changed ${rows.length} cells of notebook ${this.notebookId}` +
          `${this.closed ? '' : `; retrying in ${Math.round(wait / 1000)} s`}:`,
        e
      );
      this.schedule(wait);
    }
  }

  /** Rows noted but not yet written. */
  get unwritten(): number {
    return this.pending.size;
  }

  /** A last write when the room goes; what still cannot be written is reported as lost. */
  async close(): Promise<void> {
    this.closed = true; // no retry is scheduled from here on
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size > 0) {
      this.stats.dropped += this.pending.size;
      console.error(
        `collab: lost ${this.pending.size} cell attributions of notebook ${this.notebookId}: the database refused them`
      );
      this.pending.clear();
    }
  }
}
