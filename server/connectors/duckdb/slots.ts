// Limits on native DuckDB work in this process: each instance may take 1 GB, so queries on file connections and
// dashboard refreshes share one count.
/** A counting semaphore whose freed slot passes straight to the next in line, so nobody slips in between. */
export class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(public max: number) {}
  async take(): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** At most this many native DuckDB instances run queries at once, whoever asked. */
export const nativeDuckdb = new Slots(4);
