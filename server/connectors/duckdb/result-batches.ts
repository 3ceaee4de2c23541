// A native DuckDB result as Arrow record batches, chunk by chunk, cut at a row cap. Used by DuckDB file
// connections and by dashboard refreshes. Types map onto the connectors' Arrow column kinds (decimals as doubles,
// nested values and huge integers as text/JSON).
import { DuckDBTypeId, JSDuckDBValueConverter, type DuckDBResult, type DuckDBType } from '@duckdb/node-api';
import { BATCH_ROWS, BatchBuilder, uniqueColumnNames, type ColumnKind } from '../arrow-columns';
import { QueryError, type ResultSink, type RunOutcome } from '../query-error';

/** How 128-bit integers travel: as exact text (query results people download), or as doubles (to draw them). */
export type HugeIntegers = 'text' | 'float64';

function kindOf(t: DuckDBType, huge: HugeIntegers): ColumnKind {
  switch (t.typeId) {
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
    case DuckDBTypeId.UBIGINT:
      return huge === 'float64' ? 'float64' : 'text';
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

const toText = (v: unknown) =>
  typeof v === 'object' && v !== null && !(v instanceof Date)
    ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x))
    : v;

export async function resultBatches(
  result: DuckDBResult,
  rowCap: number,
  sink: ResultSink,
  huge: HugeIntegers = 'text'
): Promise<RunOutcome> {
  const names = uniqueColumnNames(result.columnNames());
  const kinds = result.columnTypes().map((t) => kindOf(t, huge));
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
    const take = Math.min(chunk.rowCount, rowCap - rows);
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
    if (rows === rowCap) {
      const next = await result.fetchChunk();
      truncated = !!next && next.rowCount > 0;
      break;
    }
  }
  if (builder.rows > 0 || !sent) await sink.batch(builder.finish());
  return { rows, truncated };
}
