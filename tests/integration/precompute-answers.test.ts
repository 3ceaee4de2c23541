// Precomputed answers' limits (server/publish/answers-run.ts), in a real locked-down DuckDB over a real Parquet
// file, as publishing runs them: a result over the row cap is left out of its choice's file (the browser computes
// it), a choice whose SQL fails is skipped while the next is still written, and the byte and time budgets stop
// the work with what is done kept.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { literal } from '../../cells/sql/quote';
import { runAnswers, type AnswerJob } from '../../server/publish/answers-run';
import { openEngine, type Workbench } from '../../server/publish/workbench-engine';

let dir: string;
let out: string;
let engine: Workbench;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sheaf-answers-'));
  const file = path.join(dir, 'table-0.parquet');
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(
    `copy (select i, case when i % 4 = 0 then 'a' else 'b' end as g from range(40) t(i)) to ${literal(file)} (format parquet)`
  );
  duck.closeSync();
  engine = await openEngine([{ tableName: 't', path: file }], 10);
});
afterAll(async () => {
  engine?.close();
  await rm(dir, { recursive: true, force: true });
});

const LIMITS = { maxRows: 15, maxBytes: 1024 ** 2, budgetBytes: 1024 ** 2, budgetMs: 10_000 };

/** One choice of `g`: a count (small) and the rows themselves (10 for 'a', 30 for 'b'). */
const job = (n: number, g: string): AnswerJob => ({
  file: `answer-${n}.arrow`,
  cells: [
    { name: 'counted', sql: 'select count(*)::int as n from t where g = $1', params: [g], keep: true },
    { name: 'rows_of', sql: 'select i from t where g = $1 order by i', params: [g], keep: true }
  ]
});

async function freshOut() {
  out = await mkdtemp(path.join(dir, 'out-'));
  return out;
}

describe('precomputed answers', () => {
  it('keeps each result within the row cap, skips a failing choice and goes on', async () => {
    const failing: AnswerJob = {
      file: 'answer-1.arrow',
      cells: [{ name: 'counted', sql: 'select cast($1 as int) as n', params: ['not a number'], keep: true }]
    };
    const written = await runAnswers(engine, [job(0, 'a'), failing, job(2, 'b')], await freshOut(), LIMITS);
    // 'b' has 30 rows, over the cap of 15: its rows are left out, its count is kept.
    expect(written.map((w) => [w.file, w.parts.map((p) => p.cell)])).toEqual([
      ['answer-0.arrow', ['counted', 'rows_of']],
      ['answer-2.arrow', ['counted']]
    ]);
    expect((await readdir(out)).sort()).toEqual(['answer-0.arrow', 'answer-2.arrow']);
    const bytes = await readFile(path.join(out, 'answer-0.arrow'));
    const [count, rows] = written[0]!.parts;
    expect(tableFromIPC(bytes.subarray(0, count!.bytes)).get(0)?.toJSON()).toEqual({ n: 10 });
    const listed = tableFromIPC(bytes.subarray(count!.bytes, count!.bytes + rows!.bytes));
    expect(listed.toArray().map((r) => Number(r.i))).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
    expect(bytes.length).toBe(count!.bytes + rows!.bytes);
    const other = await readFile(path.join(out, 'answer-2.arrow'));
    expect(tableFromIPC(other).get(0)?.toJSON()).toEqual({ n: 30 });
  });

  it('stops at the byte budget and at the time budget, keeping what was written', async () => {
    const first = await runAnswers(engine, [job(0, 'a'), job(1, 'b')], await freshOut(), LIMITS);
    const size = first[0]!.parts.reduce((n, p) => n + p.bytes, 0);
    const tight = await runAnswers(engine, [job(0, 'a'), job(1, 'a'), job(2, 'a')], await freshOut(), {
      ...LIMITS,
      budgetBytes: size + 1
    });
    expect(tight.map((w) => w.file)).toEqual(['answer-0.arrow']);
    expect(await readdir(out)).toEqual(['answer-0.arrow']);
    const late = await runAnswers(engine, [job(0, 'a')], await freshOut(), { ...LIMITS, budgetMs: -1 });
    expect(late).toEqual([]);
    expect(await readdir(out)).toEqual([]);
  });
});
