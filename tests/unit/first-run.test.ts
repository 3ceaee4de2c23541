// What lets a notebook show itself before DuckDB-WASM has started: whether it needs the engine at all, and charts
// of small stored results drawn from the stored copy.
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import * as Y from 'yjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chartData, type Query } from '../../cells/chart/chart-data';
import type { VlSpec } from '../../cells/chart/spec';
import { initNotebook } from '../../cells/document';
import { hasLocalSql } from '../../cells/sql/local-sql';
import type { SqlCellState } from '../../cells/sql/staleness';
import { keepEmbeddedResults, resultBytes, storedTable } from '../../src/lib/engine/stored-results';

const notebook = (cells: Parameters<typeof initNotebook>[2]) => {
  const doc = new Y.Doc();
  initNotebook(doc, 'T', cells);
  return doc;
};

describe('hasLocalSql', () => {
  it('is true for a SQL cell in the browser, whether its engine is set or not', () => {
    expect(hasLocalSql(notebook([{ kind: 'text', source: '# hi' }, { kind: 'sql' }]))).toBe(true);
    expect(hasLocalSql(notebook([{ kind: 'sql', config: { engine: 'local' } }]))).toBe(true);
  });

  it('is false for a notebook of connection cells, charts and text', () => {
    expect(hasLocalSql(notebook([{ kind: 'sql', config: { engine: 'c0nnect10n1d' } }]))).toBe(false);
    expect(hasLocalSql(notebook([{ kind: 'text' }, { kind: 'chart', config: { source: 'x' } }]))).toBe(false);
    expect(hasLocalSql(notebook([]))).toBe(false);
  });
});

const spec: VlSpec = {
  mark: 'line',
  encoding: { x: { field: 'hour', type: 'quantitative' }, y: { field: 'avg_delay', type: 'quantitative' } }
};
const rows = tableFromArrays({
  hour: Int32Array.from([0, 1, 2]),
  avg_delay: Float64Array.from([1.5, 2, 7.25])
});

describe('chartData from a stored result', () => {
  it('draws the stored rows without asking the engine', async () => {
    const engine = vi.fn(async () => {
      throw new Error('the engine was asked');
    });
    const query: Query = Object.assign(engine, { stored: async () => rows });
    const data = await chartData(spec, 'delays_by_hour', query);
    expect(engine).not.toHaveBeenCalled();
    expect(data.rows).toEqual([
      { hour: 0, avg_delay: 1.5 },
      { hour: 1, avg_delay: 2 },
      { hour: 2, avg_delay: 7.25 }
    ]);
    expect(data.note).toBe('');
  });

  it('asks the engine when there is no stored copy to use', async () => {
    const sqls: string[] = [];
    const engine = async (sql: string) => {
      sqls.push(sql);
      return sql.startsWith('select count(*)') ? tableFromArrays({ n: Float64Array.from([3]) }) : rows;
    };
    const data = await chartData(spec, 'delays_by_hour', Object.assign(engine, { stored: async () => null }));
    expect(sqls[0]).toMatch(/^select count\(\*\)/);
    expect(data.rows).toHaveLength(3);
  });
});

describe('storedTable', () => {
  afterEach(() => vi.unstubAllGlobals());
  const cell = (run: SqlCellState['run']): SqlCellState => ({
    id: 'cell1',
    name: 'delays_by_hour',
    sql: 'select 1',
    engine: 'local',
    run
  });
  const done = { status: 'done' as const, runId: 'run1', rows: 3, stored: 'full' as const };

  it('fetches a result stored in full and within the row limit', async () => {
    const fetch = vi.fn(async () => new Response(tableToIPC(rows, 'stream') as Uint8Array<ArrayBuffer>));
    vi.stubGlobal('fetch', fetch);
    const table = await storedTable('nb', [cell(done)], 'delays_by_hour', 10);
    expect(fetch).toHaveBeenCalledWith('/api/results/nb/cell1/run1');
    expect(table?.numRows).toBe(3);
  });

  it('leaves previews, big results, unfinished runs and failed fetches to the engine', async () => {
    vi.stubGlobal('fetch', async () => new Response('gone', { status: 404 }));
    const at = (run: SqlCellState['run'], max = 10) => storedTable('nb', [cell(run)], 'delays_by_hour', max);
    expect(await at({ ...done, stored: 'preview' })).toBeNull();
    expect(await at(done, 2)).toBeNull();
    expect(await at({ ...done, status: 'running' })).toBeNull();
    expect(await at(null)).toBeNull();
    // The 404 (a run id the page never fetched: results are immutable, so a page keeps the ones it fetched).
    expect(await at({ ...done, runId: 'run-gone' })).toBeNull();
    expect(await storedTable('nb', [cell(done)], 'other_name', 10)).toBeNull();
  });
});

describe('resultBytes', () => {
  it('downloads a result once for everyone who asks, hands each a copy of its own, and retries a failure', async () => {
    const urls: string[] = [];
    let fail = true;
    vi.stubGlobal('fetch', async (url: string) => {
      urls.push(url);
      return fail ? new Response('busy', { status: 503 }) : new Response(new Uint8Array([1, 2, 3]));
    });
    await expect(resultBytes('/api/results/nb/c/once')).rejects.toThrow(/HTTP 503/);
    fail = false;
    const [a, b] = await Promise.all([
      resultBytes('/api/results/nb/c/once'),
      resultBytes('/api/results/nb/c/once')
    ]);
    const c = await resultBytes('/api/results/nb/c/once');
    expect(urls).toEqual(['/api/results/nb/c/once', '/api/results/nb/c/once']); // the failure, then one download
    expect([...a]).toEqual([1, 2, 3]);
    // The engine transfers its bytes to DuckDB's worker, which detaches them: nobody else may hold the same buffer.
    expect(a.buffer).not.toBe(b.buffer);
    expect(b.buffer).not.toBe(c.buffer);
  });
});

describe('keepEmbeddedResults', () => {
  it('keeps the results the page carried, so asking for them downloads nothing', async () => {
    const urls: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      urls.push(url);
      return new Response(new Uint8Array([9]));
    });
    const ipc = tableToIPC(tableFromArrays({ n: Int32Array.from([1, 2, 3]) }), 'stream');
    keepEmbeddedResults('nb', [{ cellId: 'c', runId: 'embedded', ipc: Buffer.from(ipc).toString('base64') }]);
    expect([...(await resultBytes('/api/results/nb/c/embedded'))]).toEqual([...ipc]);
    // Another run of the same cell was not carried: that one is fetched.
    expect([...(await resultBytes('/api/results/nb/c/other'))]).toEqual([9]);
    expect(urls).toEqual(['/api/results/nb/c/other']);
  });
});
