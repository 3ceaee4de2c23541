// bench:filter's thread view (BENCH_TRACE=<file>): from a Chrome trace of some warm changes, how long each of the
// threads of the page that computes every change (the only one that marks its changes) was busy per change (median
// over the changes, ms), between the page's marks for the change and its paint. On a machine with few cores, a
// change is as slow as the threads competing for them: the page's main thread, DuckDB-WASM's worker, V8's
// background compiles (WebAssembly tier-up among them), raster and compositing. The trace itself opens in Perfetto
// or DevTools' Performance panel.
import { median } from './filter-breakdown';

type TraceEvent = {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
};

export const CHANGE_MARK = 'sheaf:bench:change';
export const PAINTED_MARK = 'sheaf:bench:painted';

/** The categories the summary needs: tasks per thread and the page's marks. */
export const TRACE_CATEGORIES = ['toplevel', 'blink.user_timing', 'devtools.timeline'];

export function printThreads(trace: Buffer): void {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const threadName = new Map<string, string>();
  for (const e of events)
    if (e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');
  const marks = events
    .filter((e) => e.name === CHANGE_MARK || e.name === PAINTED_MARK)
    .sort((a, b) => a.ts - b.ts);
  const windows: { from: number; to: number; pid: number }[] = [];
  for (const [i, m] of marks.entries()) {
    if (m.name !== CHANGE_MARK) continue;
    const end = marks.slice(i + 1).find((n) => n.pid === m.pid);
    if (end?.name === PAINTED_MARK) windows.push({ from: m.ts, to: end.ts, pid: m.pid });
  }
  if (!windows.length) return console.log('  the trace holds no complete change');
  // Top-level tasks only (a task's inner events would count twice).
  const tasks = events.filter(
    (e) => e.ph === 'X' && (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'ThreadPool_RunTask')
  );
  const perThread = new Map<string, number[]>();
  windows.forEach((w, i) => {
    for (const e of tasks) {
      const busy = Math.min(w.to, e.ts + (e.dur ?? 0)) - Math.max(w.from, e.ts);
      if (busy <= 0) continue;
      const name = threadName.get(`${e.pid}:${e.tid}`) ?? String(e.tid);
      const key = e.pid === w.pid ? `page: ${name}` : `browser: ${name}`;
      const row = perThread.get(key) ?? new Array<number>(windows.length).fill(0);
      row[i]! += busy / 1000;
      perThread.set(key, row);
    }
  });
  const took = median(windows.map((w) => (w.to - w.from) / 1000));
  const rows = [...perThread].map(([k, v]) => [k, median(v)] as const).sort((a, b) => b[1] - a[1]);
  console.log(
    `  busy threads per change (median ms over ${windows.length} traced changes; a change took ${took.toFixed(0)}):`
  );
  for (const [k, ms] of rows.slice(0, 8)) console.log(`    ${k.padEnd(40)} ${ms.toFixed(0).padStart(5)} ms`);
}
