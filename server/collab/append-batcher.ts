// Group commit across rooms: every room of this process appends its batches through one batcher per database, and
// the batches that arrive while a write is in flight (or in the same turn of the event loop) go out together as one
// statement and one commit. With many busy notebooks, one commit per room per batch was most of an update's time
// under load: the database did a commit, and this process a round trip, for each.
import type { Queryable } from '../db/types';
import type { NotebookId } from '../ids';
import { appendMany, type AppendPart } from './doc-store';

type Waiting = { part: AppendPart; bytes: number; resolve(seqs: number[]): void; reject(e: unknown): void };

/** Bounds on one statement: its parameters (two per update at most) and its size. */
const MOST_UPDATES = 1024;
const MOST_BYTES = 8 * 1024 * 1024;

export class AppendBatcher {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(private readonly db: Queryable) {}

  /** Stores `updates` for the notebook; resolves with their seqs once committed. */
  append(notebookId: NotebookId, updates: Uint8Array[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      const bytes = updates.reduce((n, u) => n + u.byteLength, 0);
      this.waiting.push({ part: { notebookId, updates }, bytes, resolve, reject });
      if (!this.running) {
        this.running = true;
        // After this turn's I/O callbacks: frames read from many sockets in one turn share the first write too.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0) await this.write(this.take());
    } finally {
      this.running = false;
    }
  }

  /** The oldest waiting batches that fit one statement (at least one, however large). */
  private take(): Waiting[] {
    let updates = 0;
    let bytes = 0;
    let n = 0;
    for (const w of this.waiting) {
      if (n > 0 && (updates + w.part.updates.length > MOST_UPDATES || bytes + w.bytes > MOST_BYTES)) break;
      updates += w.part.updates.length;
      bytes += w.bytes;
      n++;
    }
    return this.waiting.splice(0, n);
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      const seqs = await appendMany(
        this.db,
        batch.map((w) => w.part)
      );
      batch.forEach((w, i) => w.resolve(seqs[i]!));
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      // One room's failure (say its notebook was deleted meanwhile) must not fail the others': each on its own.
      await Promise.all(
        batch.map((w) =>
          appendMany(this.db, [w.part]).then(
            ([seqs]) => w.resolve(seqs!),
            (err: unknown) => w.reject(err)
          )
        )
      );
    }
  }
}

const batchers = new WeakMap<Queryable, AppendBatcher>();

/** The one batcher of this process for `db`. */
export function appendBatcher(db: Queryable): AppendBatcher {
  let b = batchers.get(db);
  if (!b) batchers.set(db, (b = new AppendBatcher(db)));
  return b;
}
