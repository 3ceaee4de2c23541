// Garbage-collection pauses of this process while a bench counts, from V8's 'gc' performance entries: a pause stops
// the event loop, so a long one shows as a latency spike that no stage of the measured work explains.
import { PerformanceObserver } from 'node:perf_hooks';

export type GcPauses = { count: number; totalMs: number; maxMs: number };

export function watchGc(): { reset(): void; read(): GcPauses } {
  let seen: GcPauses = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      seen.count++;
      seen.totalMs += e.duration;
      seen.maxMs = Math.max(seen.maxMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  return {
    reset: () => (seen = { count: 0, totalMs: 0, maxMs: 0 }),
    read: () => ({ ...seen })
  };
}

export const describeGc = (g: GcPauses) =>
  `GC ${g.count} pauses, ${g.totalMs.toFixed(0)} ms in all, longest ${g.maxMs.toFixed(1)} ms`;
