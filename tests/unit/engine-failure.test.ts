// Failures of the browser's engine itself become messages a person can act on; SQL mistakes pass through.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { engineFailure } from '../../src/lib/engine/engine-failure';

async function duckdbError(sql: string): Promise<string> {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  try {
    await conn.run(sql);
  } catch (e) {
    return (e as Error).message.replace(/^[A-Za-z ]*Error: /, '');
  } finally {
    conn.closeSync();
  }
  throw new Error('expected the query to fail');
}

describe('engineFailure', () => {
  it('turns a WebAssembly trap into a restart and a message without the engine wording', () => {
    for (const raw of [
      'function signature mismatch',
      'RuntimeError: unreachable',
      'memory access out of bounds'
    ]) {
      const f = engineFailure(raw);
      expect(f?.restart).toBe(true);
      expect(f?.message).toMatch(/restarted it: run the cell again/);
      expect(f?.message).not.toContain(raw);
    }
    expect(engineFailure('Aborted(Cannot enlarge memory arrays)')?.message).toMatch(/ran out of memory/);
  });

  it('says which extension a query would have downloaded, without restarting', () => {
    const f = engineFailure(
      'IO Error: Extension "https://extensions.duckdb.org/v1.4.0/wasm_eh/json.duckdb_extension.wasm" could not be loaded'
    );
    expect(f).toEqual({ restart: false, message: expect.stringContaining('DuckDB extension (json)') });
  });

  it("maps DuckDB's own out-of-memory refusal to advice, without a restart", async () => {
    const raw = await duckdbError(
      "set memory_limit = '1MB'; select list(range) from range(10000000) group by range % 1000000"
    ).catch((e: Error) => e.message);
    expect(raw).toMatch(/memory/i);
    expect(engineFailure(raw)).toEqual({ restart: false, message: expect.stringMatching(/more memory/) });
  });

  it('leaves mistakes in the SQL to DuckDB: they say what to fix', async () => {
    for (const sql of ['select nope from range(3)', 'selec 1', "select 'a' + 1"]) {
      expect(engineFailure(await duckdbError(sql))).toBeNull();
    }
  });
});
