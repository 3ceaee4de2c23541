// Results of dashboard viewers' re-runs, kept so that a thousand viewers picking the same filter values cost one
// query: entries live for a while (TTL) within a byte budget, least recently used out first; a key being computed
// is computed once, and everyone asking meanwhile waits for that one run. A run stops when every request waiting
// for it has gone away; failures are not kept (the next request tries again). In process memory: each app node
// keeps its own.

export type Sized = { bytes: number };

export type CacheOptions = {
  ttlMs: number;
  /** Total bytes of kept values; 0 keeps nothing and shares nothing (every request runs). */
  maxBytes: number;
  clock?: () => number;
};

/** Where a value came from: kept, another request's run still going, or a run of this request. */
export type Served = 'cache' | 'shared' | 'ran';

type Flight<V> = { promise: Promise<V>; controller: AbortController; waiters: number };

export class SharedResultCache<V extends Sized> {
  // A Map iterates in insertion order; a read re-inserts its key, so the first key is the least recently used.
  private entries = new Map<string, { value: V; expires: number }>();
  private flights = new Map<string, Flight<V>>();
  private total = 0;
  private readonly clock: () => number;

  constructor(private readonly opts: CacheOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The kept value, if fresh. */
  peek(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.clock()) {
      this.drop(key);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  /**
   * The value for `key`: kept, shared with a run in flight, or from `run` — which starts only after `beforeRun`
   * (a rate limit; throwing or rejecting refuses this request and runs nothing). Rejects with `signal`'s reason once it aborts;
   * the run is aborted when no request is waiting for it any more.
   */
  async load(
    key: string,
    signal: AbortSignal | undefined,
    run: (signal: AbortSignal) => Promise<V>,
    beforeRun?: () => void | Promise<void>
  ): Promise<{ value: V; served: Served }> {
    const kept = this.peek(key);
    if (kept) return { value: kept, served: 'cache' };
    const sharing = this.opts.maxBytes > 0;
    const flying = sharing ? this.flights.get(key) : undefined;
    if (flying) return { value: await this.wait(key, flying, signal), served: 'shared' };
    // A limit kept in the database answers later: the flight is in place meanwhile, so requests for the same key
    // arriving in between join it (and share its refusal) instead of each spending their own budget.
    const admitted = beforeRun?.();
    const controller = new AbortController();
    const flight: Flight<V> = { promise: Promise.resolve() as Promise<never>, controller, waiters: 0 };
    const running = admitted ? admitted.then(() => run(controller.signal)) : run(controller.signal);
    flight.promise = running.then((value) => {
      // A run nobody waits for any more was aborted; whatever it returned is not kept.
      if (!controller.signal.aborted) this.keep(key, value);
      return value;
    });
    flight.promise
      .catch(() => {})
      .finally(() => {
        if (this.flights.get(key) === flight) this.flights.delete(key);
      });
    if (sharing) this.flights.set(key, flight);
    return { value: await this.wait(key, flight, signal), served: 'ran' };
  }

  /**
   * Puts `next` in place of the kept `current` (a value grown after it was kept), keeping its expiry; false, and
   * nothing changed, if `current` is no longer what `key` holds or `next` is too big to keep.
   */
  replace(key: string, current: V, next: V): boolean {
    const e = this.entries.get(key);
    if (!e || e.value !== current || next.bytes > this.opts.maxBytes / 4) return false;
    e.value = next;
    this.total += next.bytes - current.bytes;
    this.evictOver(key);
    return this.entries.get(key)?.value === next;
  }

  private wait(key: string, flight: Flight<V>, signal: AbortSignal | undefined): Promise<V> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    flight.waiters++;
    return new Promise<V>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        signal?.removeEventListener('abort', onAbort);
        flight.waiters--;
      };
      const onAbort = () => {
        leave();
        if (flight.waiters === 0) {
          // Nobody else wants it: stop the query, and let the next request for this key start afresh.
          if (this.flights.get(key) === flight) this.flights.delete(key);
          flight.controller.abort('client');
        }
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (v) => {
          leave();
          resolve(v);
        },
        (e: unknown) => {
          leave();
          reject(e as Error);
        }
      );
    });
  }

  private keep(key: string, value: V) {
    // One value bigger than a quarter of the budget would push out everything else: serve it, do not keep it.
    if (this.opts.maxBytes <= 0 || value.bytes > this.opts.maxBytes / 4) return;
    this.drop(key);
    this.entries.set(key, { value, expires: this.clock() + this.opts.ttlMs });
    this.total += value.bytes;
    this.evictOver(key);
  }

  /** Least recently used out until the budget holds; `key` (just kept or grown) last of all. */
  private evictOver(key: string) {
    while (this.total > this.opts.maxBytes) {
      let oldest: string | undefined;
      for (const k of this.entries.keys()) {
        if (k !== key || this.entries.size === 1) {
          oldest = k;
          break;
        }
      }
      if (oldest === undefined) break;
      this.drop(oldest);
    }
  }

  private drop(key: string) {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.total -= e.value.bytes;
  }
}
