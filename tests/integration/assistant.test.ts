// The assistant against a scripted model speaking Gemini's REST API over real HTTP, with a real database: what the
// model is told, how its streamed answer becomes checked cells, and everything that stops a request.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assist, MAX_CELLS, type AssistEvent } from '../../server/ai/assist';
import { reserveRequest } from '../../server/ai/requests';
import { fixQuery } from '../../server/ai/fix';
import { loadConfig, type ServerConfig } from '../../server/config';
import { createNotebook } from '../../server/notebooks/notebooks';
import { pieces, startScriptedGemini, type ScriptedGemini } from '../gemini/scripted-gemini';
import { join, person } from './helpers/people';
import { uploadCsv } from './helpers/upload';
import { freshDb, type TestDb } from './helpers/test-db';
import type { NotebookId, UserId } from '../../server/ids';

let t: TestDb;
let gemini: ScriptedGemini;
let dataDir: string;
let config: ServerConfig;

beforeAll(async () => {
  t = await freshDb();
  gemini = await startScriptedGemini();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-ai-'));
  config = loadConfig({
    DATA_DIR: dataDir,
    GEMINI_API_KEY: 'test-key',
    GEMINI_MODEL: 'gemini-test',
    GEMINI_BASE_URL: gemini.url,
    AI_RATE_PER_HOUR: '3'
  });
});
afterAll(async () => {
  await gemini?.close();
  await t?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => gemini.reset());

const CSV = 'region,revenue,ordered_at\nnorth,120.5,2024-01-03\nsouth,80,2024-02-11\nnorth,99.9,2024-02-20\n';

async function setup() {
  const owner = await person(t.db, 'Asking Ann');
  await uploadCsv(t.db, dataDir, owner, 'orders.csv', CSV);
  const nb = await createNotebook(t.db, owner.id, owner.workspaceId, { title: 'Revenue review' }, [
    {
      kind: 'sql',
      name: 'totals',
      source: 'select region, sum(revenue) as revenue from orders group by region'
    },
    { kind: 'prompt', source: 'monthly revenue as a line chart' }
  ]);
  return { owner, nb };
}

const reserve = (
  userId: UserId,
  notebookId: NotebookId,
  ai = config.ai,
  kind: 'generate' | 'fix' = 'generate'
) => reserveRequest(t.db, ai, { userId, notebookId, kind });

async function ask(
  owner: { id: UserId },
  nb: { id: NotebookId },
  prompt: string,
  timeoutMs?: number,
  cellId: string | null = null
) {
  const req = await reserve(owner.id, nb.id);
  const events: AssistEvent[] = [];
  for await (const e of assist(t.db, config, req, { prompt, cellId, timeoutMs })) events.push(e);
  return events;
}

const GOOD = {
  explanation: 'Revenue summed per month, charted.',
  cells: [
    {
      kind: 'sql',
      name: 'totals', // taken: becomes totals_2, and the chart follows
      engine: 'local',
      sql: "select date_trunc('month', ordered_at) as month, sum(revenue) as revenue from orders group by 1",
      columns: ['month', 'revenue']
    },
    {
      kind: 'chart',
      source: 'totals',
      mark: 'line',
      x: { field: 'month', type: 'temporal', timeUnit: 'yearmonth' },
      y: { field: 'revenue', type: 'quantitative', aggregate: 'sum' }
    },
    { kind: 'text', markdown: 'February was the **best** month.' }
  ]
};

describe('the assistant', () => {
  it('tells the model the file’s schema with samples and the earlier cells; streams checked cells in order', async () => {
    const { owner, nb } = await setup();
    gemini.script({ chunks: pieces(GOOD, 9) });
    const events = await ask(owner, nb, 'monthly revenue as a line chart');

    const sent = gemini.requests[0]!;
    expect(sent.method).toBe('streamGenerateContent');
    expect(sent.model).toBe('gemini-test');
    expect(sent.apiKey).toBe('test-key');
    expect(sent.text).toContain('Table orders (uploaded file, 3 rows; engine "local")');
    expect(sent.text).toMatch(/revenue DOUBLE\s+e\.g\. 120\.5, 80, 99\.9/);
    expect(sent.text).toContain('ordered_at DATE');
    expect(sent.text).toContain('select region, sum(revenue) as revenue from orders group by region');
    expect(sent.text).toContain('Request to the assistant: monthly revenue as a line chart');
    expect(sent.text).toContain('Notebook title: Revenue review');
    expect(JSON.stringify(sent.body.generationConfig)).toContain('application/json');

    expect(events.map((e) => e.type)).toEqual(['cell', 'cell', 'cell', 'done']);
    const [sql, chart, text, done] = events;
    expect(sql).toMatchObject({ cell: { kind: 'sql', name: 'totals_2' } });
    expect(chart).toMatchObject({ cell: { kind: 'chart', source: 'totals_2', mark: 'line' } });
    expect(text).toMatchObject({ cell: { kind: 'text', markdown: 'February was the **best** month.' } });
    expect(done).toEqual({ type: 'done', explanation: 'Revenue summed per month, charted.' });

    const logged = await t.db.query<{ status: string; prompt_tokens: number }>(
      'select status, prompt_tokens from ai_requests where user_id = $1',
      [owner.id]
    );
    expect(logged).toEqual([{ status: 'ok', prompt_tokens: 1200 }]);
  });

  it('lists the notebook’s inputs with their names and values now, and says how SQL uses them', async () => {
    const owner = await person(t.db, 'Input Ann');
    const nb = await createNotebook(t.db, owner.id, owner.workspaceId, { title: 'Regions' }, [
      {
        kind: 'input',
        name: 'region',
        config: { widget: 'dropdown', options: { from: 'list', values: ['north', 'south'] }, value: 'south' }
      },
      {
        kind: 'input',
        name: 'period',
        config: { widget: 'daterange', default: { start: '2024-01-01', end: '2024-03-31' } }
      },
      { kind: 'prompt', source: 'revenue for the chosen region' }
    ]);
    gemini.script({ chunks: pieces(GOOD, 3) });
    await ask(owner, nb, 'revenue for the chosen region');
    const sent = gemini.requests[0]!.text;
    expect(sent).toContain('Input "region" (dropdown), referenced in SQL as {{region}}, value now: south');
    expect(sent).toContain(
      'Input "period" (date range), referenced in SQL as {{period}}, value now: 2024-01-01 – 2024-03-31'
    );
    expect(sent).toContain('{{name.start}} and {{name.end}} for a date range');
  });

  const broken: [string, string[], RegExp, number][] = [
    ['an answer that is not JSON', ['Sure! Here is your chart: ```json'], /cut off or is not valid JSON/, 0],
    [
      'a cell of an unknown kind',
      pieces({ explanation: '', cells: [{ kind: 'python', code: 'import os' }] }),
      /unknown kind "python"/,
      0
    ],
    [
      'a chart over a column its source does not have',
      pieces({
        explanation: '',
        cells: [
          {
            kind: 'sql',
            name: 'by_month',
            sql: 'select 1 as month, 2 as revenue',
            columns: ['month', 'revenue']
          },
          { kind: 'chart', source: 'by_month', mark: 'bar', x: { field: 'profit', type: 'quantitative' } }
        ]
      }),
      /a chart of by_month over a column it does not have: "profit"/,
      1
    ],
    [
      'SQL for an engine that does not exist',
      pieces({
        explanation: '',
        cells: [{ kind: 'sql', name: 'x', engine: 'warehouse', sql: 'select 1', columns: [] }]
      }),
      /unknown engine "warehouse"/,
      0
    ]
  ];
  for (const [name, chunks, message, goodCells] of broken) {
    it(`${name}: a clear error, and nothing broken inserted`, async () => {
      const { owner, nb } = await setup();
      gemini.script({ chunks });
      const events = await ask(owner, nb, 'anything');
      expect(events.filter((e) => e.type === 'cell')).toHaveLength(goodCells);
      const last = events.at(-1)!;
      expect(last.type).toBe('error');
      expect(last.type === 'error' && last.message).toMatch(message);
    });
  }

  it('a model that stops answering is cut off with a message', async () => {
    const { owner, nb } = await setup();
    gemini.script({ chunks: pieces(GOOD, 3), delayMs: 2000 });
    const events = await ask(owner, nb, 'slow', 500);
    expect(events.at(-1)).toEqual({
      type: 'error',
      message: 'The assistant took longer than 1 s and was stopped. Try again, or ask for less.'
    });
  });

  it('the service refusing the key says so', async () => {
    const { owner, nb } = await setup();
    gemini.script({ chunks: [], status: 403 });
    const events = await ask(owner, nb, 'x');
    expect(events.at(-1)).toMatchObject({
      message: 'The AI service refused the API key (check GEMINI_API_KEY).'
    });
  });

  it('refuses viewers, strangers, a server without a key, and a user over the hourly limit', async () => {
    const { owner, nb } = await setup();
    const viewer = await person(t.db);
    const stranger = await person(t.db);
    await join(t.db, owner, viewer, 'viewer');
    await expect(reserve(viewer.id, nb.id)).rejects.toThrow(/only editors/);
    await expect(reserve(stranger.id, nb.id)).rejects.toThrow(/not found/);
    await expect(reserve(owner.id, nb.id, { ...config.ai, apiKey: undefined })).rejects.toThrow(
      'AI is not configured — set GEMINI_API_KEY on the server.'
    );

    for (let i = 0; i < 3; i++) {
      gemini.script({ chunks: pieces(GOOD) });
      await ask(owner, nb, `request ${i}`);
    }
    await expect(reserve(owner.id, nb.id)).rejects.toThrow(
      /asked the assistant 3 times in the past hour, the limit/
    );
    expect(gemini.requests).toHaveLength(3);
  });
});

describe('fixing a failing query', () => {
  it('sends the query and its error with the context; returns the corrected SQL; a malformed fix says so', async () => {
    const { owner, nb } = await setup();
    const args = {
      sql: 'select regoin from orders',
      error: 'Binder Error: Referenced column "regoin" not found',
      engine: 'local',
      cellId: null
    };
    gemini.script({ chunks: [JSON.stringify({ sql: 'select region from orders', explanation: 'A typo.' })] });
    expect(await fixQuery(t.db, config, await reserve(owner.id, nb.id, config.ai, 'fix'), args)).toEqual({
      sql: 'select region from orders',
      explanation: 'A typo.'
    });
    const sent = gemini.requests[0]!;
    expect(sent.method).toBe('generateContent');
    expect(sent.text).toContain('select regoin from orders');
    expect(sent.text).toContain('Referenced column "regoin" not found');
    expect(sent.text).toContain('Table orders');

    gemini.script({ chunks: ['{"sql": ""}'] });
    await expect(
      fixQuery(t.db, config, await reserve(owner.id, nb.id, config.ai, 'fix'), args)
    ).rejects.toThrow('The assistant’s fix was not in the expected form');
    const kinds = await t.db.query<{ kind: string; status: string }>(
      'select kind, status from ai_requests where user_id = $1 order by id',
      [owner.id]
    );
    expect(kinds).toEqual([
      { kind: 'fix', status: 'ok' },
      { kind: 'fix', status: 'invalid' }
    ]);
  });
});

describe('guards on the assistant', () => {
  it('parallel requests cannot slip past the hourly limit', async () => {
    const { owner, nb } = await setup();
    const tries = await Promise.allSettled(Array.from({ length: 6 }, () => reserve(owner.id, nb.id)));
    expect(tries.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(tries.filter((r) => r.status === 'rejected')).toHaveLength(3);
  });

  it(`stops an answer after ${MAX_CELLS} cells`, async () => {
    const { owner, nb } = await setup();
    const cells = Array.from({ length: 40 }, (_, i) => ({ kind: 'text', markdown: `note ${i}` }));
    gemini.script({ chunks: pieces({ explanation: '', cells }, 20) });
    const events = await ask(owner, nb, 'many');
    expect(events.filter((e) => e.type === 'cell')).toHaveLength(MAX_CELLS);
    expect(events.at(-1)).toEqual({
      type: 'error',
      message: `The assistant wrote more than ${MAX_CELLS} cells; the first ${MAX_CELLS} were kept.`
    });
  });

  it('renames a result whose name is taken (in any case, or by an uploaded file); the answer’s later cells follow', async () => {
    const { owner, nb } = await setup();
    gemini.script({
      chunks: pieces({
        explanation: '',
        cells: [
          { kind: 'sql', name: 'Totals', sql: 'select 1 as x', columns: ['x'] },
          { kind: 'sql', name: 'orders', sql: 'select x from Totals', columns: ['x'] },
          { kind: 'chart', source: 'orders', mark: 'bar', x: { field: 'x', type: 'nominal' } },
          {
            kind: 'text',
            markdown: 'See ![the chart](https://tracker.example/p.png?d=secret) <img src=https://x.example/a>'
          }
        ]
      })
    });
    const cells = (await ask(owner, nb, 'x')).flatMap((e) => (e.type === 'cell' ? [e.cell] : []));
    expect(cells[0]).toMatchObject({ name: 'Totals_2' });
    expect(cells[1]).toMatchObject({ name: 'orders_2', sql: 'select x from Totals_2' });
    expect(cells[2]).toMatchObject({ source: 'orders_2' });
    // Images in model-written markdown become links: nothing loads by itself.
    expect(cells[3]).toMatchObject({ markdown: 'See [the chart](https://tracker.example/p.png?d=secret) ' });
  });

  it('a person leaving mid-answer stops the model, recorded as cancelled', async () => {
    const { owner, nb } = await setup();
    gemini.script({ chunks: pieces(GOOD, 8), delayMs: 300 });
    const req = await reserve(owner.id, nb.id);
    const leave = new AbortController();
    const events: AssistEvent[] = [];
    for await (const e of assist(t.db, config, req, { prompt: 'x', cellId: null, signal: leave.signal })) {
      events.push(e);
      if (e.type === 'cell') leave.abort();
    }
    expect(events.map((e) => e.type)).toEqual(['cell', 'error']);
    const [row] = await t.db.query<{ status: string }>(
      'select status from ai_requests where id = $1::bigint',
      [req.requestId]
    );
    expect(row!.status).toBe('cancelled');
  });
});
