// Runs a query on a DuckDB/Parquet file connection with native DuckDB, in a sandbox (see sandbox.ts), handing
// rows on as Arrow batches chunk by chunk. The time limit and cancel interrupt the query; at most
// `maxConcurrent` queries run on one connection at a time, the rest wait.
import path from 'node:path';
import { DuckDBTypeId, JSDuckDBValueConverter, type DuckDBType } from '@duckdb/node-api';
import { loadConfig } from '../../config';
import { BATCH_ROWS, BatchBuilder, uniqueColumnNames, type ColumnKind } from '../arrow-columns';
import { QueryError, type ResultSink, type RunOutcome } from '../query-error';
import type { FileConnection } from '../store';
import { openSandbox } from './sandbox';

function kindOf(t: DuckDBType): ColumnKind {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'bool';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return 'int32';
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return 'int64';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.DECIMAL:
      return 'float64';
    case DuckDBTypeId.DATE:
      return 'date';
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'timestamp';
    case DuckDBTypeId.TIMESTAMP_TZ:
      return 'timestamptz';
    default:
      return 'text'; // lists, structs, huge integers…: as text (JSON for nested values)
  }
}

/** A counting semaphore whose freed slot passes straight to the next in line, so nobody slips in between. */
class Slots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(public max: number) {}
  async take(): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** Per connection (its own limit), and in all: native DuckDB runs in this process's memory. */
const perConnection = new Map<string, Slots>();
const everywhere = new Slots(4);

async function acquire(id: string, max: number): Promise<() => void> {
  const mine = perConnection.get(id) ?? new Slots(max);
  mine.max = max;
  perConnection.set(id, mine);
  await mine.take();
  await everywhere.take();
  return () => {
    everywhere.give();
    mine.give();
  };
}

const toText = (v: unknown) =>
  typeof v === 'object' && v !== null && !(v instanceof Date)
    ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))
    : v;

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
    const result = await sandbox.connection.stream(text);
    const names = uniqueColumnNames(result.columnNames());
    const kinds = result.columnTypes().map(kindOf);
    if (names.length === 0) throw new QueryError('not_rows', 'This statement returns no rows.');
    const builder = new BatchBuilder(names.map((name, i) => ({ name, kind: kinds[i]! })));
    let rows = 0;
    let truncated = false;
    let sent = false;
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      const take = Math.min(chunk.rowCount, s.rowCap - rows);
      if (take < chunk.rowCount) truncated = true;
      builder.columns.forEach((col, i) => {
        const values = chunk.convertColumnValues(i, JSDuckDBValueConverter);
        for (let r = 0; r < take; r++) col.putValue(kinds[i] === 'text' ? toText(values[r]) : values[r]);
      });
      rows += take;
      if (builder.rows >= BATCH_ROWS) {
        await sink.batch(builder.finish());
        sent = true;
      }
      if (truncated) break;
      if (rows === s.rowCap) {
        const next = await result.fetchChunk();
        truncated = !!next && next.rowCount > 0;
        break;
      }
    }
    if (builder.rows > 0 || !sent) await sink.batch(builder.finish());
    return { rows, truncated };
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
