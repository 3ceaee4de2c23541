// Who last changed each cell of the open notebook, for the quiet "Bob · 5 min ago" in each cell's frame. Read from
// /api/notebooks/:id/cell-authors (recorded by the server from the edits it applied, so a client cannot claim
// one): when the notebook opens, a moment after the document stops changing (and at least every so often while it
// keeps changing), and when the tab comes back. `now` ticks each minute so relative times stay true.
import { z } from 'zod';
import type * as Y from 'yjs';

const AuthorSchema = z.object({ id: z.string(), name: z.string(), at: z.string() });
export type Author = z.infer<typeof AuthorSchema>;
export const CellAuthorsSchema = z.object({
  cells: z.record(z.string(), z.object({ last: AuthorSchema, editors: z.array(AuthorSchema) }))
});
export type CellAuthorsMap = z.infer<typeof CellAuthorsSchema>['cells'];

export type AuthorTiming = { quietMs: number; maxWaitMs: number; tickMs: number };
export const AUTHOR_TIMING: AuthorTiming = { quietMs: 1_500, maxWaitMs: 10_000, tickMs: 60_000 };

export class CellAuthors {
  byCell = $state.raw<CellAuthorsMap>({});
  /** The clock relative times are measured against. */
  now = $state(Date.now());
  private debounce: ReturnType<typeof setTimeout> | null = null;
  private firstChange: number | null = null;
  private readonly ticker: ReturnType<typeof setInterval>;
  private destroyed = false;
  private inFlight = false;
  private again = false;

  constructor(
    readonly notebookId: string,
    private readonly doc: Y.Doc,
    private readonly timing: AuthorTiming = AUTHOR_TIMING
  ) {
    doc.on('update', this.onUpdate);
    this.ticker = setInterval(() => (this.now = Date.now()), timing.tickMs);
    document.addEventListener('visibilitychange', this.onVisible);
    void this.refresh();
  }

  of(cellId: string): CellAuthorsMap[string] | undefined {
    return this.byCell[cellId];
  }

  private readonly onVisible = () => {
    if (document.visibilityState === 'visible') void this.refresh();
  };

  /** Any change, this person's or a co-editor's: read again once changes pause (or have gone on a while). */
  private readonly onUpdate = () => {
    const now = Date.now();
    this.firstChange ??= now;
    if (this.debounce) clearTimeout(this.debounce);
    const wait = Math.max(0, Math.min(this.timing.quietMs, this.firstChange + this.timing.maxWaitMs - now));
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.firstChange = null;
      void this.refresh();
    }, wait);
  };

  /** One request at a time; a change meanwhile asks again once it answers. A failure keeps what is shown. */
  async refresh(): Promise<void> {
    if (this.destroyed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    try {
      const res = await fetch(`/api/notebooks/${encodeURIComponent(this.notebookId)}/cell-authors`);
      if (res.ok) {
        const parsed = CellAuthorsSchema.safeParse(await res.json().catch(() => null));
        if (parsed.success && !this.destroyed) this.byCell = parsed.data.cells;
      }
      this.now = Date.now();
    } catch {
      // Offline for a moment: the next change or visit asks again.
    } finally {
      this.inFlight = false;
    }
    if (this.again) {
      this.again = false;
      void this.refresh();
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.doc.off('update', this.onUpdate);
    if (this.debounce) clearTimeout(this.debounce);
    clearInterval(this.ticker);
    document.removeEventListener('visibilitychange', this.onVisible);
  }
}
