// The one place that picks a driver by connection kind: running queries, reading schemas, testing settings,
// and dropping pooled clients when a connection changes. Tests and schema reads run under one deadline each,
// from the host lookup to the answer (deadline.ts).
import { gaveUpProblem, SCHEMA_DEADLINE_S, TEST_DEADLINE_S, withDeadline } from './deadline';
import { runDuckdbQuery } from './duckdb/execute';
import { introspectDuckdb, testDuckdb } from './duckdb/introspect';
import { forgetPools } from './mysql/client';
import { runMysqlQuery } from './mysql/execute';
import { HostRefused, pinned } from './host-policy';
import { introspectMysql, testMysql } from './mysql/introspect';
import { forgetClients } from './postgres/client';
import { runPostgresQuery } from './postgres/execute';
import { introspectPostgres, testPostgres } from './postgres/introspect';
import { QueryError, type ResultSink, type RunOutcome, type TestResult } from './query-error';
import { withoutTrailingSemicolons } from './sql-shape';
import type { DatabaseSchema } from './schema-types';
import type { FileSettings, NetworkSettings } from './settings';
import type { OpenConnection } from './store';
import type { ConnectionId } from '../ids';

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

export async function introspect(conn: OpenConnection, signal?: AbortSignal): Promise<DatabaseSchema> {
  if (conn.kind === 'duckdb') return introspectDuckdb(conn.settings);
  const settings = conn.settings;
  return withDeadline(SCHEMA_DEADLINE_S, signal, async (d) => {
    let reach;
    try {
      reach = { ...conn, settings: await d.race(pinned(settings)) };
    } catch (e) {
      const gaveUp = gaveUpProblem(e, settings, 'database');
      throw gaveUp ? new QueryError('connect', gaveUp.message) : e;
    }
    if (reach.kind === 'mysql') return introspectMysql(reach, d.signal);
    return introspectPostgres(reach, d.signal);
  });
}

export type TestTarget =
  | { kind: 'postgres' | 'mysql'; settings: NetworkSettings; password: string | undefined }
  | { kind: 'duckdb'; settings: FileSettings };

export async function testSettings(t: TestTarget, signal?: AbortSignal): Promise<TestResult> {
  if (t.kind === 'duckdb') return testDuckdb(t.settings);
  const settings = t.settings;
  return withDeadline(TEST_DEADLINE_S, signal, async (d) => {
    let reach: typeof t;
    try {
      reach = { ...t, settings: await d.race(pinned(settings)) };
    } catch (e) {
      const gaveUp = gaveUpProblem(e, settings, 'database');
      if (gaveUp) return { ok: false, ...gaveUp };
      return {
        ok: false,
        problem: e instanceof HostRefused ? e.problem : 'refused',
        message: (e as Error).message
      };
    }
    if (reach.kind === 'mysql') return testMysql(reach, d.signal);
    return testPostgres(reach, d.signal);
  });
}

export async function forget(connectionId: ConnectionId): Promise<void> {
  forgetPools(connectionId);
  await forgetClients(connectionId);
}
