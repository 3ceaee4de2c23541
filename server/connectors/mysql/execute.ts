// Runs a user's query on a MySQL/MariaDB connection, handing rows on as Arrow record batches while they arrive.
// The session and the transaction are read-only, the statement has the connection's time limit
// (max_statement_time on MariaDB, max_execution_time on MySQL), and only statements that read are sent at all.
// Cancelling, and cutting at the row cap, use KILL QUERY from a separate connection. A query with parameters
// (`?`, see cells/sql/parameters.ts) runs as a prepared statement, its values sent apart from the text, and the
// statement is closed afterwards rather than left cached on the server.
import type mysql from 'mysql2';
import { BATCH_ROWS, BATCH_MS, BatchBuilder, uniqueColumnNames, type ColumnKind } from '../arrow-columns';
import { QueryError, type ResultSink, type RunOutcome } from '../query-error';
import type { NetworkConnection } from '../store';
import { leadingKeyword } from '../sql-shape';
import { poolsFor } from './client';
import { queryError } from './errors';
import type { BoundValue } from '../../../cells/sql/parameters';

const READS = new Set(['select', 'with', 'show', 'explain', 'describe', 'desc', 'values', 'table']);
const UNSIGNED = 32;

/** Arrow kind for a MySQL column type (mysql2's `columnType` codes). */
function kindOf(f: mysql.FieldPacket): ColumnKind {
  const unsigned = ((f.flags as number) & UNSIGNED) !== 0;
  switch (f.columnType) {
    case 1: // TINY
    case 2: // SHORT
    case 9: // INT24
    case 13: // YEAR
      return 'int32';
    case 3: // LONG (unsigned does not fit int32)
      return 'int64';
    case 8: // LONGLONG (unsigned may not fit int64)
      return unsigned ? 'text' : 'int64';
    case 4: // FLOAT
    case 5: // DOUBLE
    case 0: // DECIMAL
    case 246: // NEWDECIMAL → double: charts and DuckDB want numbers
      return 'float64';
    case 10: // DATE
    case 14: // NEWDATE
      return 'date';
    case 7: // TIMESTAMP
    case 12: // DATETIME
      return 'timestamp';
    default:
      return 'text';
  }
}

function connection(pool: mysql.Pool): Promise<mysql.PoolConnection> {
  return new Promise((resolve, reject) => pool.getConnection((e, c) => (e ? reject(e) : resolve(c))));
}

function exec(c: mysql.PoolConnection, sql: string): Promise<void> {
  return new Promise((resolve, reject) => c.query(sql, (e) => (e ? reject(e) : resolve())));
}

export async function runMysqlQuery(
  conn: NetworkConnection,
  /** Without trailing semicolons, not empty (see engines.ts). */
  text: string,
  sink: ResultSink,
  signal: AbortSignal,
  /** Values for the text's `?`s, in order. */
  params: BoundValue[] = []
): Promise<RunOutcome> {
  const s = conn.settings;
  const keyword = leadingKeyword(text);
  if (!READS.has(keyword)) {
    throw new QueryError(
      'read_only',
      `Sheaf only reads from connected databases: ${keyword ? `"${keyword.toUpperCase()}" is` : 'this statement is'} not allowed. Queries may be SELECT, WITH, SHOW, EXPLAIN or DESCRIBE.`
    );
  }
  // Anywhere, whatever comments surround it: `into/**/outfile` and `into /*!outfile*/` are still INTO OUTFILE.
  if (/outfile|dumpfile/i.test(text))
    throw new QueryError(
      'read_only',
      'Sheaf only reads from connected databases: SELECT … INTO OUTFILE writes a file.'
    );
  const { pool, control } = poolsFor(conn);
  let c: mysql.PoolConnection;
  try {
    c = await connection(pool);
  } catch (e) {
    throw queryError(e, s, false);
  }
  let cancelled = false;
  let broken = false;
  let killed = false;
  const kill = () => {
    killed = true;
    control.query(`kill query ${c.threadId}`, () => {});
  };
  const cancel = () => {
    cancelled = true;
    kill();
  };
  signal.addEventListener('abort', cancel);
  try {
    await setTimeLimit(c, s.statementTimeoutS);
    await exec(c, 'start transaction read only');
    if (signal.aborted) throw new QueryError('cancelled', 'The query was cancelled.');
    return await stream(c, text, params, sink, s.rowCap, kill);
  } catch (e) {
    broken = true;
    if (e instanceof QueryError) throw e;
    throw queryError(e, s, (cancelled || signal.aborted) && signal.reason !== 'timeout');
  } finally {
    signal.removeEventListener('abort', cancel);
    // A connection that failed mid-result is not worth reusing, and one we sent KILL QUERY must not be reused
    // either: a kill that arrives late would stop the next person's query on it.
    if (broken || killed) c.destroy();
    else {
      // By the key it was cached under (mysql2 accepts the options, though its types say only text).
      if (params.length) c.unprepare({ sql: text, rowsAsArray: true } as unknown as string);
      c.query('rollback', () => c.release());
    }
  }
}

async function setTimeLimit(c: mysql.PoolConnection, seconds: number) {
  try {
    await exec(c, `set session max_statement_time = ${seconds}`); // MariaDB
  } catch {
    await exec(c, `set session max_execution_time = ${seconds * 1000}`); // MySQL (SELECT only)
  }
}

function stream(
  c: mysql.PoolConnection,
  text: string,
  params: BoundValue[],
  sink: ResultSink,
  cap: number,
  kill: () => void
): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    let builder: BatchBuilder | null = null;
    let rows = 0;
    let truncated = false;
    let sent = false;
    let lastFlush = Date.now();
    let writing: Promise<void> = Promise.resolve();
    let settled = false;
    const fail = (e: unknown) => {
      if (!settled) reject(e);
      settled = true;
    };
    const flush = (b: BatchBuilder) => {
      sent = true;
      lastFlush = Date.now();
      const batch = b.finish();
      c.pause();
      writing = writing.then(() => sink.batch(batch)).then(() => c.resume(), fail);
    };
    const query = params.length
      ? c.execute({ sql: text, values: params, rowsAsArray: true })
      : c.query({ sql: text, rowsAsArray: true });
    query.on('fields', (fields: mysql.FieldPacket[]) => {
      const names = uniqueColumnNames(fields.map((f) => f.name));
      builder = new BatchBuilder(names.map((name, i) => ({ name, kind: kindOf(fields[i]!) })));
    });
    query.on('result', (row: unknown) => {
      if (truncated || !builder || !Array.isArray(row)) return;
      if (rows === cap) {
        truncated = true;
        kill(); // more rows than the cap: stop the query on the server
        return;
      }
      const b = builder;
      b.columns.forEach((col, i) => col.putValue(row[i]));
      rows++;
      if (b.rows >= BATCH_ROWS || Date.now() - lastFlush > BATCH_MS) flush(b);
    });
    query.on('error', (e: { errno?: number }) => {
      if (truncated && e.errno === 1317)
        finish(); // our KILL QUERY at the row cap
      else fail(e);
    });
    query.on('end', () => finish());
    let finishing = false;
    function finish() {
      if (finishing) return;
      finishing = true;
      void writing.then(async () => {
        if (settled) return;
        const b = builder;
        if (!b) {
          return fail(
            new QueryError(
              'not_rows',
              'This statement returns no rows. Queries on connections read data: SELECT, WITH, SHOW, EXPLAIN or DESCRIBE.'
            )
          );
        }
        if (b.rows > 0 || !sent) await sink.batch(b.finish());
        settled = true;
        resolve({ rows, truncated });
      }, fail);
    }
  });
}
