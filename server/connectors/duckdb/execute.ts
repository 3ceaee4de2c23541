// Runs a query on a DuckDB/Parquet file connection with native DuckDB, in a sandbox (see sandbox.ts), handing
// rows on as Arrow batches chunk by chunk. The time limit and cancel interrupt the query; at most
// `maxConcurrent` queries run on one connection at a time, the rest wait.
import path from 'node:path';
import { loadConfig } from '../../config';
import { QueryError, type ResultSink, type RunOutcome } from '../query-error';
import type { FileConnection } from '../store';
import { resultBatches } from './result-batches';
import { openSandbox } from './sandbox';
import { nativeDuckdb, Slots } from './slots';

/** Per connection (its own limit), and in all (nativeDuckdb): native DuckDB runs in this process's memory. */
const perConnection = new Map<string, Slots>();

async function acquire(id: string, max: number): Promise<() => void> {
  const mine = perConnection.get(id) ?? new Slots(max);
  mine.max = max;
  perConnection.set(id, mine);
  await mine.take();
  await nativeDuckdb.take();
  return () => {
    nativeDuckdb.give();
    mine.give();
  };
}

export async function runDuckdbQuery(
  conn: FileConnection,
  /** Without trailing semicolons, not empty (see engines.ts). */
  text: string,
  sink: ResultSink,
  signal: AbortSignal
): Promise<RunOutcome> {
  const s = conn.settings;
  const release = await acquire(conn.id, s.maxConcurrent);
  let stopped: 'cancelled' | 'timeout' | null = null;
  let sandbox: Awaited<ReturnType<typeof openSandbox>> | null = null;
  const stop = (why: 'cancelled' | 'timeout') => {
    stopped ??= why;
    sandbox?.connection.interrupt();
  };
  const onAbort = () => stop(signal.reason === 'timeout' ? 'timeout' : 'cancelled');
  signal.addEventListener('abort', onAbort);
  const timer = setTimeout(() => stop('timeout'), s.statementTimeoutS * 1000);
  try {
    sandbox = await openSandbox(s);
    if (stopped) throw new Error(stopped); // stopped while the file was opening; reported below
    return await resultBatches(await sandbox.connection.stream(text), s.rowCap, sink);
  } catch (e) {
    if (e instanceof QueryError) throw e;
    if (stopped === 'cancelled') throw new QueryError('cancelled', 'The query was cancelled.');
    if (stopped === 'timeout')
      throw new QueryError(
        'timeout',
        `The query ran longer than this connection's limit of ${s.statementTimeoutS} s and was stopped.`
      );
    // Messages name files by their path inside the data folder, not where that folder is on the server.
    const message = (e as Error).message.split(loadConfig().serverDataDir + path.sep).join('');
    if (/read-only|read only/i.test(message))
      throw new QueryError('read_only', `Sheaf only reads from connected databases: ${message}`);
    if (/Permission Error/.test(message))
      throw new QueryError('read_only', `Queries on a server file can read only that file: ${message}`);
    throw new QueryError('sql', message);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    sandbox?.close();
    release();
  }
}
