// The file-connection query processes kept between queries (query-child.ts), each for one key: the connection, its
// file's path and the file's identity on disk (so a file replaced or a connection moved to another file gets fresh
// processes, and no process ever serves another connection's file). A process goes back here only after a query
// that ended cleanly and left nothing behind (reuse-checks.ts); anything else kills it. At most `perKey` wait per
// key and `total` in all (the oldest goes first); each leaves after `idleMs` unused, crashes while waiting are
// forgotten, and a waiting process keeps neither the server's event loop alive nor answers anything.
export type Poolable = {
  ended(): boolean;
  kill(): void;
  exited: Promise<unknown>;
  /** Whether it may keep this process running: a waiting one may not. */
  hold(on: boolean): void;
  /** While waiting here, anything it sends is a protocol error and kills it. */
  idle(on: boolean): void;
};

type Waiting<C> = { key: string; owner: string; child: C; timer: NodeJS.Timeout };

export class ChildPool<C extends Poolable> {
  /** Oldest first. */
  private waiting: Waiting<C>[] = [];

  constructor(
    private readonly total: number,
    private readonly idleMs: number
  ) {}

  /** A waiting process for `key`, the most recently used; ends `owner`'s processes kept for any other key. */
  take(key: string, owner: string): C | null {
    for (const w of this.waiting.filter((w) => w.owner === owner && w.key !== key)) this.end(w);
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i]!;
      if (w.key !== key) continue;
      this.remove(w);
      if (w.child.ended()) continue;
      w.child.idle(false);
      w.child.hold(true);
      return w.child;
    }
    return null;
  }

  /** Keeps a process that may run `key`'s next query; `perKey` bounds how many wait for that key. */
  give(key: string, owner: string, child: C, perKey: number): void {
    if (child.ended()) return;
    child.idle(true);
    child.hold(false);
    const w: Waiting<C> = { key, owner, child, timer: setTimeout(() => this.end(w), this.idleMs).unref() };
    this.waiting.push(w);
    void child.exited.then(() => this.remove(w));
    const same = this.waiting.filter((x) => x.key === key);
    for (const x of same.slice(0, Math.max(0, same.length - perKey))) this.end(x);
    while (this.waiting.length > this.total) this.end(this.waiting[0]!);
  }

  /** The waiting processes, oldest first (tests). */
  children(): C[] {
    return this.waiting.map((w) => w.child);
  }

  /** Ends every waiting process (tests, and a server shutting down, want no process left behind). */
  async drop(): Promise<void> {
    const all = [...this.waiting];
    for (const w of all) {
      w.child.hold(true); // so that waiting for it to end keeps this process up
      this.end(w);
    }
    await Promise.all(all.map((w) => w.child.exited));
  }

  private end(w: Waiting<C>): void {
    this.remove(w);
    w.child.kill();
  }

  private remove(w: Waiting<C>): void {
    clearTimeout(w.timer);
    const i = this.waiting.indexOf(w);
    if (i >= 0) this.waiting.splice(i, 1);
  }
}
