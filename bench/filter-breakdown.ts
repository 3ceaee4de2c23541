// bench:filter's per-phase breakdown: where a change's time went in the viewer's browser, from the traces the page
// collected (src/lib/engine/trace.ts), as the mean per change over the warm changes; and the messages sent to
// DuckDB-WASM's worker per change, by type. Phases overlap (cards run side by side with drawings), so they may add
// up to more than the change took.
import type { TraceSink } from '../src/lib/engine/trace';

export function printBreakdown(traces: TraceSink[], what = 'per warm change'): void {
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
  console.log(`  ${what} in the browser (mean of ${n}; phases overlap):`);
  for (const [name, p] of [...phases].sort((a, b) => a[0].localeCompare(b[0])))
    console.log(
      `    ${name.padEnd(28)} ${(p.ms / n).toFixed(0).padStart(6)} ms  (${(p.count / n).toFixed(1)} times)`
    );
  const total = [...tasks.values()].reduce((a, b) => a + b, 0);
  const byType = [...tasks]
    .sort((a, b) => b[1] - a[1])
    .map(([type, k]) => `${type} ${(k / n).toFixed(1)}`)
    .join(', ');
  console.log(`    worker round trips ${(total / n).toFixed(1)}: ${byType}`);
}
