// bench:filter's per-phase breakdown: where a change's time went in the viewer's browser, from the traces the page
// collected (src/lib/engine/trace.ts), as the mean per change over the warm changes; the messages sent to
// DuckDB-WASM's worker per change, by type, each split into waiting behind earlier ones and being answered; and the
// change's critical path (median over the changes, in ms after the change): when the worker answered its last
// message, when the last card's rows were ready, when Vega finished its last update, when every card said it was
// live and when the frame after that was painted. Phases overlap (cards run side by side with drawings), so they
// may add up to more than the change took.
import type { TraceSink } from '../src/lib/engine/trace';

/** One change's trace, with the page's own marks (performance.now()): the change, all cards live, painted. */
export type ChangeTrace = TraceSink & { changed: number; all: number; painted: number };

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export function printBreakdown(traces: ChangeTrace[], what = 'per warm change'): void {
  if (!traces.length) return;
  const n = traces.length;
  const phases = new Map<string, { ms: number; count: number }>();
  const tasks = new Map<string, number>();
  for (const t of traces) {
    for (const [name, p] of Object.entries(t.phases)) {
      const sum = phases.get(name) ?? { ms: 0, count: 0 };
      sum.ms += p.ms;
      sum.count += p.n;
      phases.set(name, sum);
    }
    for (const [type, k] of Object.entries(t.tasks)) tasks.set(type, (tasks.get(type) ?? 0) + k);
  }
  console.log(`  ${what} in the browser (mean of ${n}; phases overlap; "each" is the mean per occurrence):`);
  for (const [name, p] of [...phases].sort((a, b) => a[0].localeCompare(b[0])))
    console.log(
      `    ${name.padEnd(40)} ${(p.ms / n).toFixed(0).padStart(6)} ms  (${(p.count / n).toFixed(1)} times, ` +
        `each ${(p.ms / Math.max(1, p.count)).toFixed(1)} ms)`
    );
  const total = [...tasks.values()].reduce((a, b) => a + b, 0);
  const byType = [...tasks]
    .sort((a, b) => b[1] - a[1])
    .map(([type, k]) => `${type} ${(k / n).toFixed(1)}`)
    .join(', ');
  console.log(`    worker round trips ${(total / n).toFixed(1)}: ${byType}`);
  const after = (pick: (t: ChangeTrace) => number | undefined) =>
    median(traces.map((t) => (pick(t) ?? NaN) - t.changed).filter((x) => !Number.isNaN(x)));
  const lastOf = (t: ChangeTrace, prefix: string) => {
    const ends = Object.entries(t.ends ?? {}).filter(([k]) => k.startsWith(prefix));
    return ends.length ? Math.max(...ends.map(([, v]) => v)) : undefined;
  };
  const path = [
    ['last worker answer', after((t) => lastOf(t, 'worker: answering'))],
    ['last card rows ready', after((t) => lastOf(t, 'card: chart data'))],
    ['last Vega update done', after((t) => lastOf(t, 'draw ('))],
    ['all cards live', after((t) => t.all)],
    ['painted', after((t) => t.painted)]
  ] as const;
  console.log(
    `    critical path (median ms after the change): ` +
      path.map(([label, ms]) => `${label} ${Number.isNaN(ms) ? '–' : ms.toFixed(0)}`).join(', ')
  );
}

/**
 * The slowest changes one by one (ms): how long the worker took answering and how long messages waited for it,
 * when its last answer came and when Vega finished, after the change. Says whether a slow change computed more
 * slowly (the worker's answers grew: CPU taken by something else) or waited on the main thread.
 */
export function printSlowest(traces: ChangeTrace[], count = 3): void {
  const sum = (t: ChangeTrace, prefix: string) =>
    Object.entries(t.phases)
      .filter(([k]) => k.startsWith(prefix))
      .reduce((n, [, p]) => n + p.ms, 0);
  const last = (t: ChangeTrace, prefix: string) => {
    const ends = Object.entries(t.ends ?? {}).filter(([k]) => k.startsWith(prefix));
    return ends.length ? Math.max(...ends.map(([, v]) => v)) - t.changed : NaN;
  };
  const took = (t: ChangeTrace) => t.painted - t.changed;
  const byTime = [...traces].sort((a, b) => took(b) - took(a));
  const line = (label: string, t: ChangeTrace) =>
    console.log(
      `    ${label} ${took(t).toFixed(0)} ms: worker answering ${sum(t, 'worker: answering').toFixed(0)}, ` +
        `waiting ${sum(t, 'worker: queued').toFixed(0)}, last answer at ${last(t, 'worker: answering').toFixed(0)}, ` +
        `Vega ${sum(t, 'draw (').toFixed(0)} (done at ${last(t, 'draw (').toFixed(0)})`
    );
  for (const t of byTime.slice(0, count)) line('slow change', t);
  if (byTime.length > count) line('median change', byTime[Math.floor(byTime.length / 2)]!);
}
