// Per-phase timings of the browser engine's query path and the dashboard's recompute path, for benchmarks
// (bench:filter prints them). Off, and nearly free, unless the page defines `window.__sheafTrace` (the benchmark's
// init script does): then each phase adds its elapsed milliseconds and a count there, and every message to
// DuckDB-WASM's worker is counted by its type. Phases can run at once (cards overlap), so their times may add up to
// more than the wall time they span; `ends` says when each phase last ended, which gives a change's critical path.
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';

export type TraceSink = {
  phases: Record<string, { ms: number; n: number }>;
  /** Messages to the engine's worker (each one a round trip), by request type. */
  tasks: Record<string, number>;
  /** When each phase last ended (performance.now()); added on first use. */
  ends?: Record<string, number>;
};

const sink = (): TraceSink | undefined =>
  (globalThis as unknown as { __sheafTrace?: TraceSink }).__sheafTrace;

/** Adds `ms` to phase `phase`. */
export function record(phase: string, ms: number): void {
  const s = sink();
  if (!s) return;
  const p = (s.phases[phase] ??= { ms: 0, n: 0 });
  p.ms += ms;
  p.n++;
  (s.ends ??= {})[phase] = performance.now();
}

/** `fn`, timed as `phase` when tracing. */
export async function traced<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  if (!sink()) return fn();
  const started = performance.now();
  try {
    return await fn();
  } finally {
    record(phase, performance.now() - started);
  }
}

const watched = new WeakSet<object>();

/**
 * Counts the worker messages of `db` from now on (once per instance; only while tracing), and splits each one's
 * time into waiting behind earlier messages and being answered. The worker answers one message at a time, in the
 * order sent, so a message starts when it is sent or when the one before it was answered, whichever is later.
 * "Answered" is seen from this thread: it includes the trip both ways, and any time this thread was too busy to
 * take the answer.
 */
export function watchRoundTrips(db: AsyncDuckDB): void {
  if (!sink() || watched.has(db)) return;
  watched.add(db);
  // postTask is the one door every request to the worker goes through (protected in its types).
  const d = db as unknown as { postTask(task: { type?: unknown }, transfer?: unknown): Promise<unknown> };
  const post = d.postTask.bind(d);
  let lastAnswered = 0;
  d.postTask = (task, transfer) => {
    const s = sink();
    if (!s) return post(task, transfer);
    const type = String(task.type ?? '?');
    s.tasks[type] = (s.tasks[type] ?? 0) + 1;
    const sent = performance.now();
    const answer = post(task, transfer);
    const done = () => {
      const now = performance.now();
      const began = Math.max(sent, lastAnswered);
      lastAnswered = Math.max(lastAnswered, now);
      record('worker: queued behind others', began - sent);
      record(`worker: answering ${type}`, now - began);
    };
    answer.then(done, done);
    return answer;
  };
}
