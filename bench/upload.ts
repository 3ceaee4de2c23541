// bench:upload — the cost of converting uploads in a child process (server/files/convert-isolated.ts: spawn,
// memory cap, time limit) against the same conversion in the server's own process (the baseline, as before the
// child existed), for a small CSV where start-up dominates and a larger one where the work does: with the spare
// child ready (uploads seconds apart) and with a child started for the upload. Prints medians and ratios.
//   npm run bench:upload -- [--repeat 5] [--csv-mb 100]
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeBrowserCopy } from '../server/files/browser-copy';
import { convertToParquet } from '../server/files/convert';
import { convertIsolated, dropConversionSpare } from '../server/files/convert-isolated';
import { loadConfig } from '../server/config';

const { values } = parseArgs({
  options: { repeat: { type: 'string', default: '5' }, 'csv-mb': { type: 'string', default: '100' } }
});
const REPEAT = Number(values.repeat);
const CSV_MB = Number(values['csv-mb']);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-bench-upload-'));
try {
  const native = await (await DuckDBInstance.create(':memory:')).connect();
  const files: { label: string; csv: string }[] = [];
  for (const [label, rows] of [
    ['small (1,000 rows)', 1000],
    [`~${CSV_MB} MB`, Math.round((CSV_MB * 1024 ** 2) / 50)]
  ] as const) {
    const csv = path.join(dir, `${rows}.csv`);
    await native.run(`copy (
        select range as id, 'customer_' || (range % 50000) as customer, round(random() * 1000, 2) as amount,
               date '2020-01-01' + (range % 1500)::int as day, 'region_' || (range % 20) as region
          from range(${rows})) to '${csv}' (format csv, header)`);
    files.push({ label: `${label}, ${((await stat(csv)).size / 1024 ** 2).toFixed(1)} MB`, csv });
  }
  native.closeSync();

  let n = 0;
  const out = () => path.join(dir, `out-${++n}`);
  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const limits = loadConfig().upload;
  console.log(`upload conversion (Parquet + the browser's DuckDB copy), median of ${REPEAT}:`);
  for (const f of files) {
    const inProcess: number[] = [];
    const warm: number[] = [];
    const cold: number[] = [];
    const viaChild = () => {
      const b = out();
      return time(() =>
        convertIsolated(
          { format: 'csv', src: f.csv, parquet: `${b}.parquet`, browserCopy: `${b}.duckdb`, workDir: dir },
          limits
        )
      );
    };
    for (let i = 0; i < REPEAT; i++) {
      const a = out();
      inProcess.push(
        await time(async () => {
          await convertToParquet('csv', f.csv, `${a}.parquet`);
          await writeBrowserCopy(`${a}.parquet`, `${a}.duckdb`);
        })
      );
      // Uploads come seconds apart: by then the spare child started after the last one is loaded.
      await new Promise((r) => setTimeout(r, 1500));
      warm.push(await viaChild());
      await dropConversionSpare();
      cold.push(await viaChild());
    }
    const base = median(inProcess);
    console.log(`  ${f.label}:`);
    console.log(`    in the server's process (baseline):        ${base.toFixed(0)} ms`);
    for (const [label, xs] of [
      ['in a child, spare ready (the usual case):', warm],
      ['in a child started for it (first upload): ', cold]
    ] as const) {
      const m = median(xs);
      console.log(
        `    ${label} ${m.toFixed(0)} ms — ratio ${(m / base).toFixed(2)}× (+${(m - base).toFixed(0)} ms)`
      );
    }
  }
  await dropConversionSpare();
} finally {
  await rm(dir, { recursive: true, force: true });
}
