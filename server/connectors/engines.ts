// The one place that picks a driver by connection kind: running queries, reading schemas, testing settings,
// and dropping pooled clients when a connection changes.
import { runDuckdbQuery } from './duckdb/execute';
import { introspectDuckdb, testDuckdb } from './duckdb/introspect';
import { forgetPools } from './mysql/client';
import { runMysqlQuery } from './mysql/execute';
import { pinned } from './host-policy';
import { introspectMysql, testMysql } from './mysql/introspect';
import { forgetClients } from './postgres/client';
import { runPostgresQuery } from './postgres/execute';
import { introspectPostgres, testPostgres } from './postgres/introspect';
import { QueryError, type ResultSink, type RunOutcome, type TestResult } from './query-error';
import { withoutTrailingSemicolons } from './sql-shape';
import type { DatabaseSchema } from './schema-types';
import type { FileSettings, NetworkSettings } from './settings';
import type { OpenConnection } from './store';

export async function runQuery(
  conn: OpenConnection,
  sql: string,
  sink: ResultSink,
  signal: AbortSignal
): Promise<RunOutcome> {
  const text = withoutTrailingSemicolons(sql);
  if (!text) throw new QueryError('sql', 'Write a query first.');
  if (conn.kind === 'duckdb') return runDuckdbQuery(conn, text, sink, signal);
  const reach = { ...conn, settings: await pinned(conn.settings) };
  if (reach.kind === 'mysql') return runMysqlQuery(reach, text, sink, signal);
  return runPostgresQuery(reach, text, sink, signal);
}

export async function introspect(conn: OpenConnection): Promise<DatabaseSchema> {
  if (conn.kind === 'duckdb') return introspectDuckdb(conn.settings);
  const reach = { ...conn, settings: await pinned(conn.settings) };
  if (reach.kind === 'mysql') return introspectMysql(reach);
  return introspectPostgres(reach);
}

export type TestTarget =
  | { kind: 'postgres' | 'mysql'; settings: NetworkSettings; password: string | undefined }
  | { kind: 'duckdb'; settings: FileSettings };

export async function testSettings(t: TestTarget): Promise<TestResult> {
  if (t.kind === 'duckdb') return testDuckdb(t.settings);
  let reach: typeof t;
  try {
    reach = { ...t, settings: await pinned(t.settings) };
  } catch (e) {
    return { ok: false, problem: 'refused', message: (e as Error).message };
  }
  if (reach.kind === 'mysql') return testMysql(reach);
  return testPostgres(reach);
}

export async function forget(connectionId: string): Promise<void> {
  forgetPools(connectionId);
  await forgetClients(connectionId);
}
