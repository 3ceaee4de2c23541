// The one place that picks a driver by connection kind: running queries, reading schemas, testing settings,
// and dropping pooled clients when a connection changes.
import { runDuckdbQuery } from './duckdb/execute';
import { introspectDuckdb, testDuckdb } from './duckdb/introspect';
import { forgetPools } from './mysql/client';
import { runMysqlQuery } from './mysql/execute';
import { checkHost } from './host-policy';
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
  await checkHost(conn.settings.host);
  if (conn.kind === 'mysql') return runMysqlQuery(conn, text, sink, signal);
  return runPostgresQuery(conn, text, sink, signal);
}

export async function introspect(conn: OpenConnection): Promise<DatabaseSchema> {
  if (conn.kind === 'duckdb') return introspectDuckdb(conn.settings);
  await checkHost(conn.settings.host);
  if (conn.kind === 'mysql') return introspectMysql(conn);
  return introspectPostgres(conn);
}

export type TestTarget =
  | { kind: 'postgres' | 'mysql'; settings: NetworkSettings; password: string | undefined }
  | { kind: 'duckdb'; settings: FileSettings };

export async function testSettings(t: TestTarget): Promise<TestResult> {
  if (t.kind === 'duckdb') return testDuckdb(t.settings);
  try {
    await checkHost(t.settings.host);
  } catch (e) {
    return { ok: false, problem: 'refused', message: (e as Error).message };
  }
  if (t.kind === 'mysql') return testMysql(t);
  return testPostgres(t);
}

export async function forget(connectionId: string): Promise<void> {
  forgetPools(connectionId);
  await forgetClients(connectionId);
}
