// One paint for the cards whose results came in the same frame. A dashboard's cards get their results one by one
// (each query answered in turn by DuckDB's worker); drawing each as it arrived made the page restyle, lay out and
// paint once per card, on the thread that also takes the next results. Waiting for the next frame costs a card at
// most one frame (the page paints no sooner anyway), and every card ready by then is drawn in one go. A page that
// gets no frames (a background tab, an iframe scrolled away) commits after FALLBACK_MS instead, so its cards and
// rounds still settle.
const FALLBACK_MS = 100;

export class FrameCommits {
  private waiting: (() => void)[] = [];
  private frame: number | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** Resolves just before the next frame is painted, or after FALLBACK_MS if no frame comes (at once without rAF). */
  next(): Promise<void> {
    if (typeof requestAnimationFrame !== 'function') return Promise.resolve();
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.frame ??= requestAnimationFrame(() => this.flush());
      this.timer ??= setTimeout(() => this.flush(), FALLBACK_MS);
    });
  }

  private flush(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    if (this.timer !== null) clearTimeout(this.timer);
    this.frame = null;
    this.timer = null;
    const now = this.waiting;
    this.waiting = [];
    for (const resolve of now) resolve();
  }

  /** Lets anything still waiting go (the page is closing). */
  destroy(): void {
    this.flush();
  }
}
