// Runs a user's query on a PostgreSQL connection and hands the result on as Arrow record batches while rows
// arrive. Every run is a READ ONLY transaction with the connection's statement timeout; the statement must
// return rows. Queries that are a SELECT (or WITH/VALUES/TABLE) are wrapped in COPY … TO STDOUT (FORMAT binary)
// and decoded straight into Arrow columns, which is ~3× faster than row-by-row; anything else (SHOW, EXPLAIN)
// goes through a cursor. Cancelling (or a client going away) calls pg_cancel_backend on the running backend.
// Parameters ($n, see cells/sql/parameters.ts) are bound as such; COPY cannot take any, so for it each value is
// bound into a transaction-local setting and the COPY reads it back, cast to the type PostgreSQL inferred.
import type postgres from 'postgres';
import { BATCH_ROWS, BATCH_MS, BatchBuilder, uniqueColumnNames, type ColumnKind } from '../arrow-columns';
import type { NetworkConnection } from '../store';
import { clientsFor } from './client';
import { CopyBinaryReader } from './copy-binary';
import { copyOut } from './copy-stream';
import { QueryError, type ResultSink, type RunOutcome } from '../query-error';
import { queryError } from './errors';
import { leadingKeyword } from '../sql-shape';
import { replacePlaceholders, type BoundValue } from '../../../cells/sql/parameters';

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
  signal: AbortSignal,
  /** Values for the text's $1, $2…, as text (or null). */
  params: BoundValue[] = []
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
    const described = await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[]).describe();
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
      return await whole(tx, text, params, builder, sink, s.rowCap);
    }
    const kinds = oids.map(copyKind);
    const aliases = names.map((_, i) => `c${i + 1}`);
    const query = params.length ? await settingsFor(tx, text, params, described.types) : text;
    const projection = kinds.map((k, i) => (k.cast ? `${aliases[i]}::${k.cast}` : aliases[i])).join(', ');
    // The newlines keep a trailing `-- comment` in the user's query from swallowing the closing parenthesis.
    const copy = `copy (select ${projection} from (\n${query}\n) as sheaf_q(${aliases.join(', ')}) limit ${s.rowCap + 1}) to stdout (format binary)`;
    const builder = new BatchBuilder(names.map((name, i) => ({ name, kind: kinds[i]!.kind })));
    return await viaCopy(tx, copy, builder, sink, s.rowCap, signal);
  }
}

type Tx = postgres.TransactionSql;

/**
 * `text` for COPY, which takes no parameters: each value is bound (as a parameter) into a setting local to the
 * transaction, and `$n` becomes that setting cast to the type PostgreSQL gave `$n` when it described the query.
 * NULL needs no setting. The values never become SQL text.
 */
async function settingsFor(tx: Tx, text: string, params: BoundValue[], types: number[]): Promise<string> {
  const set = params.map((_, i) => `set_config('sheaf.param_${i + 1}', $${i + 1}, true)`);
  const typesAt = params.length + 1;
  // As JSON text: with fetch_types off, postgres.js leaves arrays unparsed.
  const [row] = await tx.unsafe<{ names: string }[]>(
    `select ${set.join(', ')}, (select json_agg(format_type(t, null) order by i) from unnest($${typesAt}::oid[]) with ordinality as u(t, i))::text as names`,
    [...params, `{${types.join(',')}}`] as postgres.ParameterOrJSON<never>[]
  );
  // format_type quotes what needs quoting; it is the catalog's text, not the user's values.
  const names = JSON.parse(row!.names) as string[];
  return replacePlaceholders(text, (n) =>
    params[n - 1] === null
      ? `(null::${names[n - 1]})`
      : `(current_setting('sheaf.param_${n}')::${names[n - 1]})`
  );
}

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
async function whole(
  tx: Tx,
  text: string,
  params: BoundValue[],
  builder: BatchBuilder,
  sink: ResultSink,
  cap: number
) {
  const result = await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[]).values();
  const rows = result.slice(0, cap) as unknown[][];
  for (const row of rows) builder.columns.forEach((col, i) => col.putValue(row[i]));
  await sink.batch(builder.finish());
  return { rows: rows.length, truncated: result.length > cap };
}
