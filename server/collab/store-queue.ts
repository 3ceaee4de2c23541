// A room's group commit: updates wait here while a write is in flight and go out together in the next one, so
// each is stored before anyone is sent it, without one database round trip per keystroke. The write itself goes
// through the process's AppendBatcher, which joins it with other rooms' writes.
import type { Db } from '../db/types';
import type { NotebookId } from '../ids';
import { appendBatcher } from './append-batcher';

export type Queued = { update: Uint8Array; origin: unknown; at: number };
export type StoredBatch = { batch: Queued[]; seqs: number[]; began: number; stored: number };

const MOST_PER_WRITE = 256;

export class StoreQueue {
  private pending: Queued[] = [];
  /** The batch being written: no longer pending, not yet in the document. */
  private inflight: Queued[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly notebookId: NotebookId,
    private readonly on: {
      /** A batch is stored: apply it (synchronously, before anything else is queued) then any follow-up. */
      stored(b: StoredBatch): Promise<void>;
      /** Storing failed: the failed batch and everything queued after it are dropped. */
      failed(e: unknown): void;
      /** The queue is empty again. */
      drained(): void;
    }
  ) {}

  /** Whether updates are queued or being stored. */
  get busy(): boolean {
    return this.flushing !== null || this.pending.length > 0;
  }

  /** What is queued or being written, oldest first. */
  get queued(): Uint8Array[] {
    return [...this.inflight, ...this.pending].map((q) => q.update);
  }

  /** Resolves once everything received so far is stored (or has failed to be). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  enqueue(update: Uint8Array, origin: unknown): Promise<void> {
    this.pending.push({ update, origin, at: performance.now() });
    this.flushing ??= this.flush();
    return this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, MOST_PER_WRITE);
        this.inflight = batch;
        const began = performance.now();
        const seqs = await appendBatcher(this.db).append(
          this.notebookId,
          batch.map((b) => b.update)
        );
        const followUp = this.on.stored({ batch, seqs, began, stored: performance.now() });
        this.inflight = [];
        await followUp;
      }
    } catch (e) {
      this.pending = [];
      this.inflight = [];
      this.on.failed(e);
    } finally {
      this.flushing = null;
    }
    this.on.drained();
  }
}
