// What a MySQL/MariaDB connection offers (tables, views, columns), and "test connection". Both connect afresh,
// under one deadline each (deadline.ts).
import type mysql from 'mysql2';
import { SCHEMA_DEADLINE_S, TEST_DEADLINE_S, withDeadline } from '../deadline';
import type { TestResult } from '../query-error';
import type { DatabaseSchema } from '../schema-types';
import type { NetworkConnection } from '../store';
import { withOneOffConnection, type Target } from './client';
import { connectProblem } from './errors';

const MAX_COLUMNS = 20_000;
const SYSTEM = "('mysql', 'information_schema', 'performance_schema', 'sys')";

const rowsOf = (c: mysql.Connection, query: mysql.QueryOptions) =>
  new Promise<unknown[][]>((resolve, reject) =>
    c.query({ ...query, rowsAsArray: true }, (e, rows) => (e ? reject(e) : resolve(rows as unknown[][])))
  );

export async function introspectMysql(
  conn: NetworkConnection,
  signal?: AbortSignal
): Promise<DatabaseSchema> {
  let rows: unknown[][];
  try {
    rows = await withDeadline(SCHEMA_DEADLINE_S, signal, (d) =>
      withOneOffConnection(conn, d, (c) =>
        rowsOf(c, {
          sql: `select c.table_schema, c.table_name, t.table_type, c.column_name, c.column_type
                from information_schema.columns c
                join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
               where c.table_schema not in ${SYSTEM}
               order by c.table_schema = database() desc, c.table_schema, c.table_name, c.ordinal_position
               limit ${MAX_COLUMNS + 1}`
        })
      )
    );
  } catch (e) {
    throw new Error(connectProblem(e, conn.settings).message, { cause: e });
  }
  const tables: DatabaseSchema['tables'] = [];
  for (const [schema, name, type, column, columnType] of rows
    .slice(0, MAX_COLUMNS)
    .map((r) => r.map(String))) {
    let t = tables.at(-1);
    if (!t || t.schema !== schema || t.name !== name) {
      t = { schema: schema!, name: name!, view: type === 'VIEW', columns: [] };
      tables.push(t);
    }
    t.columns.push({ name: column!, type: columnType! });
  }
  return { tables, truncated: rows.length > MAX_COLUMNS, defaultSchema: conn.settings.database };
}

export async function testMysql(t: Target, signal?: AbortSignal): Promise<TestResult> {
  const started = performance.now();
  try {
    const rows = await withDeadline(TEST_DEADLINE_S, signal, (d) =>
      withOneOffConnection(t, d, (c) => rowsOf(c, { sql: 'select version()' }))
    );
    const version = String(rows[0]?.[0] ?? '');
    const flavour = /mariadb/i.test(version) ? 'MariaDB' : 'MySQL';
    return {
      ok: true,
      server: `${flavour} ${version.split('-')[0]}`,
      ms: Math.round(performance.now() - started)
    };
  } catch (e) {
    return { ok: false, ...connectProblem(e, t.settings) };
  }
}
