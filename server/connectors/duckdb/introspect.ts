// What a DuckDB/Parquet file connection offers, and "test connection" (the file opens and has tables).
import type { TestResult } from '../query-error';
import { QueryError } from '../query-error';
import type { DatabaseSchema } from '../schema-types';
import type { FileSettings } from '../settings';
import { openSandbox, serverFile } from './sandbox';

export async function introspectDuckdb(s: FileSettings): Promise<DatabaseSchema> {
  const { connection, close } = await openSandbox(s, serverFile(s));
  try {
    const reader = await connection.runAndReadAll(
      `select c.table_schema, c.table_name, t.table_type, c.column_name, c.data_type
         from information_schema.columns c
         join information_schema.tables t using (table_catalog, table_schema, table_name)
        where c.table_schema not in ('information_schema', 'pg_catalog')
        order by c.table_schema, c.table_name, c.ordinal_position limit 20001`
    );
    const rows = reader.getRows().map((r) => r.map(String));
    const tables: DatabaseSchema['tables'] = [];
    for (const [schema, name, type, column, columnType] of rows.slice(0, 20_000)) {
      let t = tables.at(-1);
      if (!t || t.schema !== schema || t.name !== name) {
        t = { schema: schema!, name: name!, view: type === 'VIEW', columns: [] };
        tables.push(t);
      }
      t.columns.push({ name: column!, type: columnType! });
    }
    return { tables, truncated: rows.length > 20_000, defaultSchema: 'main' };
  } finally {
    close();
  }
}

export async function testDuckdb(s: FileSettings): Promise<TestResult> {
  const started = performance.now();
  try {
    const schema = await introspectDuckdb(s);
    return {
      ok: true,
      server: `DuckDB file with ${schema.tables.length} table${schema.tables.length === 1 ? '' : 's'}`,
      ms: Math.round(performance.now() - started)
    };
  } catch (e) {
    return { ok: false, problem: 'other', message: e instanceof QueryError ? e.message : String(e) };
  }
}
