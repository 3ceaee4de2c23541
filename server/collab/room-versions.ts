// When a room takes automatic versions of its notebook, and who edited since the last one: a version follows a
// pause in editing or a long stretch of it, one checkpoint at a time, each once everything received is stored.
import type * as Y from 'yjs';
import type { Db } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import { insertVersion, type VersionKind, type VersionMeta } from '../versions/store';

/** When automatic versions are taken: after `quietMs` without edits following some, and during long editing
 * at least every `everyMs` (counted from the first edit since the last version). */
export type VersionTiming = { quietMs: number; everyMs: number };
export const VERSION_TIMING: VersionTiming = { quietMs: 2 * 60_000, everyMs: 10 * 60_000 };

export class RoomVersions {
  private readonly editors = new Set<UserId>();
  private dirtySince: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private versioning: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly notebookId: NotebookId,
    private readonly doc: Y.Doc,
    /** Whether stored edits are in no version yet (edits before a crash, or before versions existed). */
    private dirty: boolean,
    private readonly timing: VersionTiming,
    private readonly room: { settled: () => Promise<void>; gone: () => boolean }
  ) {}

  /** Stores the document as a version once everything received so far is stored; see Room.checkpoint. */
  checkpoint(
    kind: VersionKind,
    opts: { label?: string | null; by?: UserId | null; force?: boolean } = {}
  ): Promise<VersionMeta | null> {
    const run = async () => {
      await this.room.settled();
      if (this.room.gone() || (!opts.force && !this.dirty)) return null;
      const editors = [...this.editors];
      this.editors.clear();
      this.dirty = false;
      this.dirtySince = null;
      if (this.timer) clearTimeout(this.timer);
      try {
        return await insertVersion(this.db, this.notebookId, this.doc, {
          kind,
          label: opts.label ?? null,
          createdBy: opts.by ?? null,
          editors
        });
      } catch (e) {
        for (const id of editors) this.editors.add(id);
        this.dirty = true;
        throw e;
      }
    };
    const p = this.versioning.then(run, run);
    this.versioning = p.catch(() => null);
    return p;
  }

  get hasUnversionedEdits(): boolean {
    return this.dirty;
  }

  /** Stored edits by `by` (null: the server's own): a version follows once editing pauses, or after a while. */
  edited(by: UserId | null): void {
    if (by) this.editors.add(by);
    this.dirty = true;
    const now = Date.now();
    this.dirtySince ??= now;
    if (this.timer) clearTimeout(this.timer);
    const auto = () =>
      void this.checkpoint('auto').catch((e) =>
        console.error(`collab: automatic version of notebook ${this.notebookId} failed:`, e)
      );
    if (now - this.dirtySince >= this.timing.everyMs) return auto();
    this.timer = setTimeout(
      () => {
        if (!this.room.gone()) auto();
      },
      Math.min(this.timing.quietMs, this.dirtySince + this.timing.everyMs - now)
    );
    this.timer.unref?.();
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
