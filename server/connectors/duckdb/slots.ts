// Limits on native DuckDB work in this process: each instance may take 1 GB, so queries on file connections and
// dashboard refreshes share one count.
/** A counting semaphore whose freed slot passes straight to the next in line, so nobody slips in between. */
export class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(public max: number) {}
  /** Waits for a slot; with `signal`, stops waiting when it aborts (rejecting with its reason), holding none. */
  async take(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.running < this.max) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', leave);
        resolve();
      };
      const leave = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      this.waiting.push(go);
      signal?.addEventListener('abort', leave, { once: true });
    });
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** At most this many native DuckDB instances run queries at once, whoever asked. */
export const nativeDuckdb = new Slots(4);
