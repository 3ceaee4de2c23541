// Replacing and dropping tables in the browser's DuckDB so that queries on other connections never see a table
// missing or half made, and running a prepared statement once.
import type { AsyncDuckDBConnection, AsyncPreparedStatement } from '@duckdb/duckdb-wasm';
import { ident, literal } from './sql-text';

/** `use` of `sql` prepared on `conn`, the statement closed after. */
export async function withPrepared<T>(
  conn: AsyncDuckDBConnection,
  sql: string,
  use: (s: AsyncPreparedStatement) => Promise<T>
): Promise<T> {
  const statement = await conn.prepare(sql);
  try {
    return await use(statement);
  } finally {
    await statement.close().catch(() => undefined);
  }
}

let stagingSeq = 0;

/**
 * Table `name` becomes what `fill` writes into a staging table, in one transaction: a query running meanwhile on
 * another connection (a downstream cell, a chart) sees the old table or the new one, never no table at all.
 */
export async function replaceTable(
  conn: AsyncDuckDBConnection,
  name: string,
  fill: (staging: string) => Promise<unknown>
): Promise<void> {
  const staging = `__sheaf_staging_${++stagingSeq}`;
  try {
    await fill(staging);
  } catch (e) {
    await conn.query(`drop table if exists ${ident(staging)}`).catch(() => undefined);
    throw e;
  }
  await conn.query('begin transaction');
  try {
    await dropName(conn, name);
    await conn.query(`alter table ${ident(staging)} rename to ${ident(name)}`);
    await conn.query('commit');
  } catch (e) {
    await conn.query('rollback').catch(() => undefined);
    await conn.query(`drop table if exists ${ident(staging)}`).catch(() => undefined);
    throw e;
  }
}

/** Drops the table or view called `name`, whichever it is (DuckDB's DROP VIEW refuses a table and vice versa). */
export async function dropName(conn: AsyncDuckDBConnection, name: string, only?: 'VIEW'): Promise<void> {
  const found = await conn.query(
    `select table_type as t from information_schema.tables
      where table_schema = 'main' and table_catalog = current_database() and lower(table_name) = lower(${literal(name)})`
  );
  for (const row of found.toArray() as { t: string }[]) {
    if (only && row.t !== only) continue;
    await conn.query(`drop ${row.t === 'VIEW' ? 'view' : 'table'} if exists ${ident(name)}`);
  }
}
