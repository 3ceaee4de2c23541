// What a PostgreSQL connection offers: user tables and views with their columns, and "test connection". Both
// connect afresh, under one deadline each (deadline.ts).
import { SCHEMA_DEADLINE_S, TEST_DEADLINE_S, withDeadline } from '../deadline';
import type { DatabaseSchema } from '../schema-types';
import type { NetworkConnection } from '../store';
import { withOneOffClient, type Target } from './client';
import type { TestResult } from '../query-error';
import { connectProblem } from './errors';

/** Enough for the schema browser and autocomplete; bigger catalogues are cut (and say so). */
const MAX_COLUMNS = 20_000;

type ColumnRow = {
  table_schema: string;
  table_name: string;
  table_type: string;
  column_name: string;
  data_type: string;
};

const COLUMNS_SQL = `select c.table_schema, c.table_name, t.table_type, c.column_name, c.data_type
         from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema not in ('pg_catalog', 'information_schema') and c.table_schema not like 'pg\\_%'
        order by c.table_schema = 'public' desc, c.table_schema, c.table_name, c.ordinal_position
        limit ${MAX_COLUMNS + 1}`;

export async function introspectPostgres(
  conn: NetworkConnection,
  signal?: AbortSignal
): Promise<DatabaseSchema> {
  try {
    const rows = await withDeadline(SCHEMA_DEADLINE_S, signal, (d) =>
      withOneOffClient(conn, d, (sql) => sql.unsafe<ColumnRow[]>(COLUMNS_SQL))
    );
    const truncated = rows.length > MAX_COLUMNS;
    const tables: DatabaseSchema['tables'] = [];
    for (const r of rows.slice(0, MAX_COLUMNS)) {
      let t = tables.at(-1);
      if (!t || t.schema !== r.table_schema || t.name !== r.table_name) {
        t = { schema: r.table_schema, name: r.table_name, view: r.table_type === 'VIEW', columns: [] };
        tables.push(t);
      }
      t.columns.push({ name: r.column_name, type: r.data_type });
    }
    return { tables, truncated, defaultSchema: 'public' };
  } catch (e) {
    throw new Error(connectProblem(e, conn.settings).message, { cause: e });
  }
}

/** Connects with exactly these settings (a fresh client, nothing pooled) and asks for the server version. */
export async function testPostgres(t: Target, signal?: AbortSignal): Promise<TestResult> {
  const started = performance.now();
  try {
    const [row] = await withDeadline(TEST_DEADLINE_S, signal, (d) =>
      withOneOffClient(t, d, (sql) => sql.unsafe<{ v: string }[]>('show server_version'))
    );
    return {
      ok: true,
      server: `PostgreSQL ${row?.v ?? ''}`.trim(),
      ms: Math.round(performance.now() - started)
    };
  } catch (e) {
    return { ok: false, ...connectProblem(e, t.settings) };
  }
}
