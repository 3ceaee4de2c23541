// Runs a user's query on a PostgreSQL connection and hands the result on as Arrow record batches while rows
// arrive. Every run is a READ ONLY transaction with the connection's statement timeout; the statement must
// return rows. Queries that are a SELECT (or WITH/VALUES/TABLE) are wrapped in COPY … TO STDOUT (FORMAT binary)
// and decoded straight into Arrow columns, which is ~3× faster than row-by-row; anything else (SHOW, EXPLAIN)
// goes through a cursor. Cancelling (or a client going away) calls pg_cancel_backend on the running backend.
import type postgres from 'postgres';
import { BATCH_ROWS, BATCH_MS, BatchBuilder, uniqueColumnNames, type ColumnKind } from '../arrow-columns';
import type { NetworkConnection } from '../store';
import { clientsFor } from './client';
import { CopyBinaryReader } from './copy-binary';
import { copyOut } from './copy-stream';
import { QueryError, type ResultSink, type RunOutcome } from '../query-error';
import { queryError } from './errors';
import { leadingKeyword } from '../sql-shape';

/** How the COPY path reads a column of type `oid`: as itself, or cast to something it can decode. */
function copyKind(oid: number): { kind: ColumnKind; cast?: string } {
  switch (oid) {
    case 16:
      return { kind: 'bool' };
    case 20:
      return { kind: 'int64' };
    case 21:
      return { kind: 'int16' };
    case 23:
      return { kind: 'int32' };
    case 26:
      return { kind: 'int64', cast: 'int8' };
    case 700:
      return { kind: 'float32' };
    case 701:
      return { kind: 'float64' };
    case 1700:
      return { kind: 'float64', cast: 'float8' }; // numeric → double: charts and DuckDB want numbers
    case 1082:
      return { kind: 'date' };
    case 1114:
      return { kind: 'timestamp' };
    case 1184:
      return { kind: 'timestamptz' };
    case 18:
    case 19:
    case 25:
    case 114:
    case 1042:
    case 1043:
      return { kind: 'text' };
    default:
      return { kind: 'text', cast: 'text' };
  }
}

/** How a value postgres.js has parsed is kept (statements read whole). */
function parsedKind(oid: number): ColumnKind {
  const k = copyKind(oid);
  return k.cast === 'text' ? 'text' : k.kind;
}

export async function runPostgresQuery(
  conn: NetworkConnection,
  /** Without trailing semicolons, not empty (see engines.ts). */
  text: string,
  sink: ResultSink,
  signal: AbortSignal
): Promise<RunOutcome> {
  const s = conn.settings;
  const { pool, control } = clientsFor(conn);
  let pid: number | undefined;
  let cancelled = false;
  let cancelling: Promise<unknown> | null = null;
  const cancel = () => {
    cancelled = true;
    if (pid !== undefined) cancelling = control`select pg_cancel_backend(${pid})`.catch(() => {});
  };
  signal.addEventListener('abort', cancel);
  try {
    return await pool.begin('read only', async (tx) => {
      try {
        return await runIn(tx);
      } finally {
        // The backend goes back to the pool only once the cancel reached it, so it cannot hit the next query.
        if (cancelling) await cancelling;
      }
    });
  } catch (e) {
    if (e instanceof QueryError) throw e;
    throw queryError(e, s, (cancelled || signal.aborted) && signal.reason !== 'timeout');
  } finally {
    signal.removeEventListener('abort', cancel);
  }

  async function runIn(tx: Tx): Promise<RunOutcome> {
    // Taking the snapshot here also means the user's statement can no longer switch the transaction to
    // read-write (PostgreSQL allows that only before the first query).
    const [me] = await tx.unsafe<{ pid: number }[]>(
      `select pg_backend_pid() as pid, set_config('statement_timeout', $1, true)`,
      [String(s.statementTimeoutS * 1000)]
    );
    pid = me!.pid;
    if (signal.aborted) throw new QueryError('cancelled', 'The query was cancelled.');
    const described = await tx.unsafe(text).describe();
    const columns = described.columns ?? [];
    if (columns.length === 0) {
      throw new QueryError(
        'not_rows',
        'This statement returns no rows. Queries on connections read data: SELECT, WITH, VALUES, SHOW or EXPLAIN.'
      );
    }
    const names = uniqueColumnNames(columns.map((c) => c.name));
    const oids = columns.map((c) => c.type);
    const keyword = leadingKeyword(text);
    const copyable = ['select', 'with', 'values', 'table'].includes(keyword);
    if (!copyable && keyword !== 'show' && keyword !== 'explain') {
      throw new QueryError(
        'not_rows',
        'Queries on connections read data: SELECT, WITH, VALUES, TABLE, SHOW or EXPLAIN.'
      );
    }
    if (!copyable) {
      const builder = new BatchBuilder(names.map((name, i) => ({ name, kind: parsedKind(oids[i]!) })));
      return await whole(tx, text, builder, sink, s.rowCap);
    }
    const kinds = oids.map(copyKind);
    const aliases = names.map((_, i) => `c${i + 1}`);
    const projection = kinds.map((k, i) => (k.cast ? `${aliases[i]}::${k.cast}` : aliases[i])).join(', ');
    // The newlines keep a trailing `-- comment` in the user's query from swallowing the closing parenthesis.
    const copy = `copy (select ${projection} from (\n${text}\n) as sheaf_q(${aliases.join(', ')}) limit ${s.rowCap + 1}) to stdout (format binary)`;
    const builder = new BatchBuilder(names.map((name, i) => ({ name, kind: kinds[i]!.kind })));
    return await viaCopy(tx, copy, builder, sink, s.rowCap, signal);
  }
}

type Tx = postgres.TransactionSql;

async function viaCopy(
  tx: Tx,
  copy: string,
  builder: BatchBuilder,
  sink: ResultSink,
  cap: number,
  signal: AbortSignal
) {
  const { stream, release } = await copyOut(tx, copy);
  const reader = new CopyBinaryReader();
  let lastFlush = Date.now();
  let sent = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // Once cancelled, keep reading and drop what comes: PostgreSQL does not act on a cancel while it is blocked
      // writing to us, so the backend stops only if we drain until its error arrives.
      if (signal.aborted) continue;
      reader.push(chunk, builder, cap);
      if (builder.rows >= BATCH_ROWS || (builder.rows > 0 && Date.now() - lastFlush > BATCH_MS)) {
        await sink.batch(builder.finish());
        sent = true;
        lastFlush = Date.now();
      }
    }
  } finally {
    release();
  }
  if (signal.aborted) throw new QueryError('cancelled', 'The query was cancelled.');
  if (builder.rows > 0 || !sent) await sink.batch(builder.finish());
  return { rows: reader.rows, truncated: reader.overflow };
}

/** SHOW and EXPLAIN cannot be wrapped in COPY; they answer with a handful of rows, read whole. */
async function whole(tx: Tx, text: string, builder: BatchBuilder, sink: ResultSink, cap: number) {
  const result = await tx.unsafe(text).values();
  const rows = result.slice(0, cap) as unknown[][];
  for (const row of rows) builder.columns.forEach((col, i) => col.putValue(row[i]));
  await sink.batch(builder.finish());
  return { rows: rows.length, truncated: result.length > cap };
}
