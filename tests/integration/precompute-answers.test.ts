// Precomputed answers' limits (server/publish/answers-run.ts), in a real locked-down DuckDB over a real Parquet
// file, as publishing runs them: a result over the row cap is left out of its choice's file (the browser computes
// it), a choice whose SQL fails is skipped while the next is still written, and the byte and time budgets stop
// the work with what is done kept. What a publish asks for is bounded by what dashboard.json may hold and by the
// size of the request to the child.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { literal } from '../../cells/sql/quote';
import { InteractiveSchema, PrecomputedSchema, PublishedInputSchema } from '../../cells/interactive';
import { runAnswers, type AnswerGroup } from '../../server/publish/answers-run';
import { precomputeAnswers } from '../../server/publish/precompute';
import { openEngine, type Workbench } from '../../server/publish/workbench-engine';
import { dropdownInput } from './helpers/published-inputs';

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

/** A count (small) and the rows themselves (10 for 'a', 30 for 'b'), for each choice of `g` given. */
const counts = (choices: [number, string][]): AnswerGroup => ({
  cells: [
    { name: 'counted', sql: 'select count(*)::int as n from t where g = $1', keep: true },
    { name: 'rows_of', sql: 'select i from t where g = $1 order by i', keep: true }
  ],
  choices: choices.map(([n, g]) => ({ file: `answer-${n}.arrow`, params: [[g], [g]] }))
});

async function freshOut() {
  out = await mkdtemp(path.join(dir, 'out-'));
  return out;
}

describe('precomputed answers', () => {
  it('keeps each result within the row cap, skips a failing choice and goes on', async () => {
    const failing: AnswerGroup = {
      cells: [{ name: 'counted', sql: 'select cast($1 as int) as n', keep: true }],
      choices: [{ file: 'answer-1.arrow', params: [['not a number']] }]
    };
    const written = await runAnswers(
      engine,
      [counts([[0, 'a']]), failing, counts([[2, 'b']])],
      await freshOut(),
      LIMITS
    );
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
    const first = await runAnswers(engine, [counts([[0, 'a']])], await freshOut(), LIMITS);
    const size = first[0]!.parts.reduce((n, p) => n + p.bytes, 0);
    const three = counts([
      [0, 'a'],
      [1, 'a'],
      [2, 'a']
    ]);
    const tight = await runAnswers(engine, [three], await freshOut(), {
      ...LIMITS,
      budgetBytes: size + 1
    });
    expect(tight.map((w) => w.file)).toEqual(['answer-0.arrow']);
    expect(await readdir(out)).toEqual(['answer-0.arrow']);
    const late = await runAnswers(engine, [counts([[0, 'a']])], await freshOut(), {
      ...LIMITS,
      budgetMs: -1
    });
    expect(late).toEqual([]);
    expect(await readdir(out)).toEqual([]);
  });
});

/** A dashboard section over `t` (the Parquet above, in `dir`) with these cells and two dropdowns. */
function section(cells: { name: string; sql: string }[], choices: [string[], string[]]) {
  return InteractiveSchema.parse({
    inputs: [dropdownInput('g1', choices[0]), dropdownInput('g2', choices[1])],
    tables: [{ name: 't', file: 'table-0.parquet', columns: [], rows: 40, bytes: 1 }],
    cells: cells.map((c) => ({ runsOn: 'browser', ...c })),
    cards: [],
    frozen: []
  });
}
const VALUES = { g1: { type: 'text' as const, value: 'a' }, g2: { type: 'text' as const, value: 'b' } };

describe('what a publish precomputes', () => {
  it('keeps only what cards show, and no choice whose key dashboard.json could not hold', async () => {
    // Two choices of 1,000 control characters each make a key of some 12,000 characters: that one is left out.
    const odd = '\u0001'.repeat(1000);
    const s = section(
      [
        { name: 'hidden', sql: 'select * from t where g = {{g1}}' },
        { name: 'shown', sql: 'select count(*)::int as n from hidden where g = {{g1}} or g = {{g2}}' }
      ],
      [
        ['a', odd],
        ['b', odd]
      ]
    );
    const got = await precomputeAnswers(engine, s, dir, VALUES, new Set(['shown']));
    expect(got).toHaveLength(1);
    const answers = Object.entries(got[0]!.answers);
    expect(answers).toHaveLength(3);
    for (const [key, answer] of answers) {
      expect(key.length).toBeLessThanOrEqual(8000);
      expect(answer.parts.map((p) => p.cell)).toEqual(['shown']);
    }
    expect(PrecomputedSchema.array().safeParse(got).success).toBe(true);
  });

  it('asks for nothing when the SQL to send is too big', async () => {
    const huge = `select count(*) as n from t where g = {{g1}} /* ${'x'.repeat(5 * 1024 ** 2)} */`;
    const s = section([{ name: 'shown', sql: huge }], [['a', 'b'], ['b']]);
    expect(await precomputeAnswers(engine, s, dir, VALUES, new Set(['shown']))).toEqual([]);
  });

  it('precomputes both states of a checkbox', async () => {
    const s = InteractiveSchema.parse({
      inputs: [
        PublishedInputSchema.parse({
          cellId: 'c-big',
          name: 'big',
          config: { widget: 'checkbox' },
          choices: [],
          initial: false
        })
      ],
      tables: [{ name: 't', file: 'table-0.parquet', columns: [], rows: 40, bytes: 1 }],
      cells: [
        {
          runsOn: 'browser',
          name: 'shown',
          sql: 'select count(*)::int as n from t where (i >= 30) = {{big}}'
        }
      ],
      cards: [],
      frozen: []
    });
    const [got] = await precomputeAnswers(
      engine,
      s,
      dir,
      { big: { type: 'boolean', value: false } },
      new Set(['shown'])
    );
    const counts = new Map<boolean, number>();
    for (const [key, answer] of Object.entries(got!.answers)) {
      const [{ value }] = JSON.parse(key) as [{ value: boolean }];
      counts.set(value, Number(tableFromIPC(await readFile(path.join(dir, answer.file))).get(0)?.n));
    }
    expect([...counts].sort()).toEqual([
      [false, 30],
      [true, 10]
    ]);
  });
});
