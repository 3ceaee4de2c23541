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
import {
  compileParameters,
  ParameterError,
  type BoundValue,
  type CompiledQuery,
  type InputValues
} from '../../cells/sql/parameters';
import { QueryError, type ResultSink, type RunOutcome, type TestResult } from './query-error';
import { withoutTrailingSemicolons } from './sql-shape';
import type { DatabaseSchema } from './schema-types';
import type { FileSettings, NetworkSettings } from './settings';
import type { OpenConnection } from './store';
import type { ConnectionId } from '../ids';

/**
 * Runs `sql` on the connection. With `inputs`, its `{{name}}` references are bound as the database's own
 * parameters (cells/sql/parameters.ts); without, the text runs as it is.
 */
export async function runQuery(
  conn: OpenConnection,
  sql: string,
  sink: ResultSink,
  signal: AbortSignal,
  inputs?: InputValues
): Promise<RunOutcome> {
  const text = withoutTrailingSemicolons(sql);
  if (!text) throw new QueryError('sql', 'Write a query first.');
  const q = inputs ? compiled(text, conn.kind, inputs) : null;
  const run = q?.sql ?? text;
  const params: BoundValue[] = q?.params ?? [];
  try {
    if (conn.kind === 'duckdb') return await runDuckdbQuery(conn, run, sink, signal, params);
    const reach = { ...conn, settings: await pinned(conn.settings) };
    if (reach.kind === 'mysql') return await runMysqlQuery(reach, run, sink, signal, params);
    return await runPostgresQuery(reach, run, sink, signal, params);
  } catch (e) {
    // The database points into the text it ran; the editor underlines the text as written.
    if (q && e instanceof QueryError && e.position !== undefined)
      throw new QueryError(e.reason, e.message, q.sourceOffset(e.position - 1) + 1);
    throw e;
  }
}

function compiled(text: string, kind: OpenConnection['kind'], inputs: InputValues): CompiledQuery {
  try {
    return compileParameters(text, kind, inputs);
  } catch (e) {
    if (e instanceof ParameterError) throw new QueryError('sql', e.message, e.position);
    throw e;
  }
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
