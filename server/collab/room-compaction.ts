// When and how a room folds its notebook's log into the snapshot. Usually the room's document is written out as
// it is: nothing to read, nothing to rebuild, so typing carries on (bench:collab's latency tail was the rebuild,
// ~100–300 ms every 5,000 updates, blocking the event loop). When the store holds rows the room never applied
// (another server's, or written beside the room), the log is read and rebuilt instead, and what that found is
// applied to the room, so the next time the quick way works again.
import * as Y from 'yjs';
import type { Db } from '../db/types';
import type { NotebookId } from '../ids';
import { compactCovered, compactDoc, type Coverage } from './doc-store';
import { roomProbe } from './room-probe';

/** Compaction waits for a quiet moment, or a long log, rather than running in the middle of typing; it also runs
 * when the room unloads. */
const COMPACT_EVERY = 5_000;
const COMPACT_WHEN_QUIET_MS = 10_000;

export type CompactionStats = { compactedQuick: number; compactedFull: number };

export interface CompactedRoom {
  readonly doc: Y.Doc;
  /** Applies what the store holds that the room lacked (already stored: not stored or relayed again). */
  applyStored(state: Uint8Array): void;
  busy(): boolean;
  gone(): boolean;
}

export class RoomCompaction {
  private sinceCompact = 0;
  private quietTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly db: Db,
    private readonly notebookId: NotebookId,
    private readonly room: CompactedRoom,
    private readonly stats: CompactionStats,
    /** What of the store the room's document holds. */
    private covered: Coverage
  ) {}

  /** The room stored and applied rows `seqs` (called in the same tick as applying them). */
  stored(seqs: number[]): void {
    this.covered.seqs.push(...seqs);
    this.sinceCompact += seqs.length;
  }

  /** After the room's queue emptied: compact now if the log is long, else once editing has paused. */
  schedule(): void {
    if (this.sinceCompact >= COMPACT_EVERY) void this.compact();
    else if (this.sinceCompact > 0) {
      if (this.quietTimer) clearTimeout(this.quietTimer);
      this.quietTimer = setTimeout(() => {
        if (!this.room.busy() && this.sinceCompact > 0 && !this.room.gone()) void this.compact();
      }, COMPACT_WHEN_QUIET_MS);
      this.quietTimer.unref?.();
    }
  }

  async compact(): Promise<void> {
    this.sinceCompact = 0;
    const began = performance.now();
    try {
      await this.compactOnce();
      roomProbe.compacted?.(performance.now() - began);
    } catch (e) {
      console.error(`collab: compaction of notebook ${this.notebookId} failed (the log is intact):`, e);
    }
  }

  private async compactOnce(): Promise<void> {
    const quick = await compactCovered(
      this.db,
      this.notebookId,
      () => this.covered,
      () => Y.encodeStateAsUpdate(this.room.doc)
    );
    if (quick) {
      this.stats.compactedQuick++;
      this.covered = { base: quick.upto, seqs: this.covered.seqs.filter((seq) => seq > quick.upto) };
      return;
    }
    const full = await compactDoc(this.db, this.notebookId);
    this.stats.compactedFull++;
    if (full.state) this.room.applyStored(full.state);
    this.covered = { base: full.upto, seqs: this.covered.seqs.filter((seq) => seq > full.upto) };
  }

  destroy(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
  }
}
