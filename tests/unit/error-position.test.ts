// DuckDB's real error messages (native DuckDB formats them the same way as DuckDB-WASM).
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { errorPosition } from '../../src/lib/engine/error-position';

async function duckdbError(query: string): Promise<string> {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    await conn.run(`create or replace table "t" as (\n${query}\n)`);
  } catch (e) {
    return (e as Error).message.replace(/^[A-Za-z ]*Error: /, '');
  } finally {
    conn.closeSync();
  }
  throw new Error('expected the query to fail');
}

describe('errorPosition', () => {
  it('points at an unknown column on the second line of the query', async () => {
    const query = 'select 1 as a,\n  nope + 1 as b';
    const message = await duckdbError(query);
    const at = errorPosition(message, query, 1);
    expect(at).not.toBeNull();
    expect(query.slice(at!.offset, at!.offset + 4)).toBe('nope');
    expect(at!.message).toContain('LINE 2:');
    // the caret still sits under the same text after renumbering
    const lines = at!.message.split('\n');
    const shown = lines.findIndex((l) => l.startsWith('LINE 2:'));
    const caret = lines[shown + 1]!.indexOf('^');
    expect(lines[shown]!.slice(caret, caret + 4)).toBe('nope');
  });

  it('points at a syntax error', async () => {
    const query = 'select * fro range(3)';
    const at = errorPosition(await duckdbError(query), query, 1);
    expect(at).not.toBeNull();
    expect(query.slice(at!.offset)).toMatch(/^(fro|range)/);
  });

  it('gives nothing for messages without a position', () => {
    expect(errorPosition('Out of Memory Error: failed to allocate', 'select 1', 1)).toBeNull();
  });
});
