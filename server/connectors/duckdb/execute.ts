// Runs a query on a DuckDB/Parquet file connection with native DuckDB, sandboxed (sandbox.ts), in a child process
// (query-child.ts, query-process.ts): SQL such as json_structure over a 100,000-deep JSON literal crashes DuckDB
// outright, repeat('x', 1500000000) grows it by gigabytes, and a deep json_transform ignores its interrupt for
// minutes; none of that may take the server down. Rows come back as Arrow batches, one at a time, each asked for
// once the sink took the last. The time limit and cancel interrupt the query, and end the child if that does not
// stop it; at most `maxConcurrent` queries run on one connection at a time, the rest wait. A child that answered
// cleanly and says nothing of the query is left in it is kept for the connection's next query (query-pool.ts);
// any other is killed, never reused.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { tableFromIPC, type RecordBatch } from 'apache-arrow';
import { loadConfig } from '../../config';
import { QueryError, type ResultSink, type RunOutcome } from '../query-error';
import type { FileConnection } from '../store';
import { keepChild, keepSpare, takeChild, type QueryChild } from './query-child';
import { ReplySchema, type Reply } from './query-protocol';
import { isParquetFile, serverFile } from './sandbox';
import { nativeDuckdb, Slots } from './slots';
import type { BoundValue } from '../../../cells/sql/parameters';

/** How a query ended: its last reply. */
type End = Extract<Reply, { keep: boolean }>;

/** How long DuckDB's interrupt has to stop a query before its process is killed. */
const GRACE_MS = 3000;
/** How long a new process may take to load (well under a second, unless the machine is very busy). */
const STARTUP_MS = 30_000;

export const TOO_MUCH_MEMORY =
  'The query needed more memory than this connection allows (or made the database engine crash). ' +
  'Simplify it: fewer or smaller rows, less deeply nested values.';

/** Per connection (its own limit), and in all (nativeDuckdb): each query's process may take 2 GB. */
const perConnection = new Map<string, Slots>();

/** Slots for one query; a request that goes away while waiting stops waiting (and holds none). */
async function acquire(id: string, max: number, signal: AbortSignal): Promise<() => void> {
  const mine = perConnection.get(id) ?? new Slots(max);
  mine.max = max;
  perConnection.set(id, mine);
  await mine.take(signal);
  try {
    await nativeDuckdb.take(signal);
  } catch (e) {
    mine.give();
    throw e;
  }
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
  signal: AbortSignal,
  /** Values for the text's $1, $2… (cells/sql/parameters.ts), bound by DuckDB's prepared statement. */
  params: BoundValue[] = []
): Promise<RunOutcome> {
  const s = conn.settings;
  let release: () => void;
  try {
    release = await acquire(conn.id, s.maxConcurrent, signal);
  } catch {
    throw signal.reason === 'timeout'
      ? new QueryError('timeout', 'The query waited longer than its time limit for the server to be free.')
      : new QueryError('cancelled', 'The query was cancelled.');
  }
  let child: QueryChild | null = null;
  let stopped: 'cancelled' | 'timeout' | null = null;
  let kill: NodeJS.Timeout | undefined;
  const stop = (why: 'cancelled' | 'timeout') => {
    if (stopped) return;
    stopped = why;
    child?.send({ op: 'interrupt' });
    kill ??= setTimeout(() => child?.kill(), GRACE_MS);
  };
  const stoppedError = () =>
    stopped === 'cancelled'
      ? new QueryError('cancelled', 'The query was cancelled.')
      : new QueryError(
          'timeout',
          `The query ran longer than this connection's limit of ${s.statementTimeoutS} s and was stopped.`
        );
  const onAbort = () => stop(signal.reason === 'timeout' ? 'timeout' : 'cancelled');
  const limit = () => setTimeout(() => stop('timeout'), s.statementTimeoutS * 1000);
  let timer = setTimeout(() => stop('timeout'), STARTUP_MS + s.statementTimeoutS * 1000);
  let end: End | null = null;
  let clean = false;
  let key = '';
  try {
    const file = serverFile(s);
    key = await childKey(conn.id, s.path, file);
    // Stopped while looking at the file: no process is taken for a query that will not run.
    if (stopped) throw stoppedError();
    child = takeChild(key, conn.id);
    signal.addEventListener('abort', onAbort);
    if (signal.aborted) onAbort();
    child.send({ op: 'run', path: s.path, file, text, params, rowCap: s.rowCap });
    for (let frame = await child.next(); frame; frame = end ? null : await child.next()) {
      const reply = ReplySchema.safeParse(frame.header);
      if (!reply.success) throw new Error(`an answer we could not read: ${reply.error.message}`);
      if ('started' in reply.data) {
        clearTimeout(timer);
        timer = limit();
      } else if (!('batch' in reply.data)) end = reply.data;
      else if (!stopped) {
        await sink.batch(batchOf(frame.payload));
        if (!stopped) child.send({ op: 'more' });
      }
    }
    // Kept for the next query only when it said so, nothing stopped it or went wrong on our side (which throws
    // before this line), and this side agrees (keptAfter).
    clean = !!end && !stopped && keptAfter(end, file);
    if (end && 'done' in end) return end.done; // finished before the stop reached it, as in-process
    // Its answer is in (or it died): unless it is kept, one still closing DuckDB a while later is ended.
    kill ??= setTimeout(() => child?.kill(), GRACE_MS);
    if (stopped) {
      // An operator should hear of a query that DuckDB's interrupt could not stop (tests check which way it ended).
      const exit = await child.exited;
      if (!end && exit.signal)
        console.warn(`connections: a DuckDB query ignored its interrupt and was killed (${exit.signal}).`);
      throw stoppedError();
    }
    if (end) throw failure(end.failed);
    const exit = await child.exited;
    const last = child.stderr().trim().split('\n').pop() ?? '';
    console.error(
      `connections: DuckDB query process ended (code ${exit.code}, signal ${exit.signal}) without an answer: ${last}`
    );
    throw new QueryError('sql', TOO_MUCH_MEMORY);
  } catch (e) {
    if (e instanceof QueryError) throw e;
    if (stopped) throw stoppedError();
    // Our own side failing (the sink, or the child's answers no longer making sense), not the query.
    console.error('connections: DuckDB query failed:', e);
    throw new QueryError('other', 'The query failed on our side.');
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    if (child && clean) {
      clearTimeout(kill);
      keepChild(child, key, conn.id, Math.min(s.maxConcurrent, nativeDuckdb.max));
    } else if (child) {
      // Timed out, interrupted, out of memory, crashed, or answering out of turn: never used again.
      child.kill();
      await child.exited;
      clearTimeout(kill);
    }
    // The slot first: should starting a spare throw (no file descriptors left), queries must not wait forever.
    release();
    if (child) {
      try {
        keepSpare();
      } catch (e) {
        console.error('connections: could not start a spare DuckDB query process:', e);
      }
    }
  }
}

/**
 * Whether a child that answered `end` may run the connection's next query. Its own word (`keep`, from
 * reuse-checks.ts) is necessary, not sufficient: the SQL it ran was someone's, so this side also refuses
 * - a DuckDB database file: a kept child would hold the file's lock, and nothing could write to the file while a
 *   dashboard is in use (Parquet files are only read, with no lock);
 * - a query that failed with DuckDB's INTERNAL or FATAL error: an assertion inside DuckDB failed, and its
 *   invariants may no longer hold even though its catalog looks the same.
 */
export function keptAfter(end: End, file: string): boolean {
  if (!end.keep || !isParquetFile(file)) return false;
  return !('failed' in end && /\b(INTERNAL|FATAL) Error\b/i.test(end.failed.message));
}

/**
 * Which kept process may run a query (query-pool.ts): the connection, its file, and the file as it is on disk now,
 * so that a file replaced since gets a process that opens it anew.
 */
async function childKey(connection: string, name: string, file: string): Promise<string> {
  const st = await stat(file).catch(() => null);
  return JSON.stringify([connection, name, file, st && [st.dev, st.ino, st.size, st.mtimeMs]]);
}

function batchOf(payload: Buffer): RecordBatch {
  const batch = tableFromIPC(payload).batches[0];
  if (!batch) throw new Error('a batch frame without a batch');
  return batch;
}

function failure(f: Extract<Reply, { failed: unknown }>['failed']): QueryError {
  if (f.memory) return new QueryError('sql', TOO_MUCH_MEMORY);
  // Messages name files by their path inside the data folder, not where that folder is on the server.
  const message = f.message.split(loadConfig().serverDataDir + path.sep).join('');
  if (f.reason) return new QueryError(f.reason, message);
  if (/read-only|read only/i.test(message))
    return new QueryError('read_only', `Sheaf only reads from connected databases: ${message}`);
  if (/Permission Error/.test(message))
    return new QueryError('read_only', `Queries on a server file can read only that file: ${message}`);
  return new QueryError('sql', message);
}
