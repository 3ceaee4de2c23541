// bench:chart — time from "draw" to a painted histogram over a big result in headless Chromium, using Sheaf's chart
// code: binned in DuckDB-WASM (what Sheaf does above 50k rows) against the same chart fed raw rows (Vega bins them;
// capped, since raw millions do not finish in reasonable time), in one run. Prints medians and the ratio.
//   npm run bench:chart -- [--rows 3000000] [--raw-rows 1000000] [--repeat 3]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openBenchPage } from './browser-page';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '3000000' },
    'raw-rows': { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '3' }
  }
});
const ROWS = Number(values.rows);
const RAW = Math.min(Number(values['raw-rows']), ROWS);
const REPEAT = Number(values.repeat);

type Run = { ms: number; bars: number; rowsToVega: number };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const n = (x: number) => x.toLocaleString('en-US');

const entry = `export * from ${JSON.stringify(path.resolve('bench/chart-page.ts'))};\n`;
const { page, close } = await openBenchPage(entry);
page.setDefaultTimeout(600_000);
try {
  const call = <T>(fn: string, arg?: number) =>
    page.evaluate(
      async ([fn, arg]) => {
        const mod = (await import(/* @vite-ignore */ '/bundle/entry.js' as string)) as Record<
          string,
          (a?: number) => Promise<unknown>
        >;
        return mod[fn as string]!(arg as number | undefined);
      },
      [fn, arg] as const
    ) as Promise<T>;
  console.log(`bench:chart — histogram (30 bins), median of ${REPEAT} runs, headless Chromium`);
  await call<void>('setup', ROWS);
  await call<Run>('aggregated'); // warm-up: loads Vega and DuckDB's code paths
  const agg: Run[] = [];
  const raw: Run[] = [];
  for (let i = 0; i < REPEAT; i++) {
    agg.push(await call<Run>('aggregated'));
    raw.push(await call<Run>('raw', RAW));
  }
  const a = median(agg.map((r) => r.ms));
  const r = median(raw.map((x) => x.ms));
  console.log(
    `  binned in DuckDB: ${n(ROWS)} rows → ${agg[0]!.rowsToVega} bins to Vega: ${a.toFixed(0)} ms (${agg[0]!.bars} bars)`
  );
  console.log(`  raw rows to Vega: ${n(RAW)} rows: ${r.toFixed(0)} ms (${raw[0]!.bars} bars)`);
  const perRow = (r / RAW) * ROWS;
  console.log(
    `  ratio raw / binned: ${(r / a).toFixed(1)}× faster with ${n(ROWS / RAW)}× the rows` +
      (RAW < ROWS
        ? `; raw scaled to ${n(ROWS)} rows ≈ ${(perRow / 1000).toFixed(1)} s → ${(perRow / a).toFixed(1)}×`
        : '')
  );
} finally {
  await close();
}
