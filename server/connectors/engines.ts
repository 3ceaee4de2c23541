// The one place that picks a database driver by connection kind: running queries, reading schemas, testing
// settings, and dropping pooled clients when a connection changes.
import { forgetPools } from './mysql/client';
import { runMysqlQuery } from './mysql/execute';
import { introspectMysql, testMysql } from './mysql/introspect';
import { forgetClients } from './postgres/client';
import { runPostgresQuery } from './postgres/execute';
import { introspectPostgres, testPostgres } from './postgres/introspect';
import type { ResultSink, RunOutcome, TestResult } from './query-error';
import type { DatabaseSchema } from './schema-types';
import type { ConnectionKind, ConnectionSettings } from './settings';
import type { OpenConnection } from './store';

export function runQuery(
  conn: OpenConnection,
  sql: string,
  sink: ResultSink,
  signal: AbortSignal
): Promise<RunOutcome> {
  return conn.kind === 'mysql'
    ? runMysqlQuery(conn, sql, sink, signal)
    : runPostgresQuery(conn, sql, sink, signal);
}

export function introspect(conn: OpenConnection): Promise<DatabaseSchema> {
  return conn.kind === 'mysql' ? introspectMysql(conn) : introspectPostgres(conn);
}

export function testSettings(
  kind: ConnectionKind,
  target: { settings: ConnectionSettings; password: string | undefined }
): Promise<TestResult> {
  return kind === 'mysql' ? testMysql(target) : testPostgres(target);
}

export async function forget(connectionId: string): Promise<void> {
  forgetPools(connectionId);
  await forgetClients(connectionId);
}
