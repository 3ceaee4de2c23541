// Child-side (workbench-engine.ts) work for interactive dashboards' base tables: writing a table of the refresh's
// DuckDB out as Parquet (the engine then checks the re-run queries bind over what was written).
// The refresh's DuckDB is locked down (no COPY TO, external access off, configuration locked) because the
// author's SQL runs in it, and it stays so: its rows are streamed chunk by chunk into a second, fresh DuckDB that
// runs only the statements below and may write only into the snapshot's incoming folder.
import path from 'node:path';
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { ident, literal } from '../../cells/sql/quote';

/**
 * Rows per Parquet row group. Viewers' browsers read base tables with the same range reader as uploads
 * (src/lib/engine/parquet/), which fetches column chunks per row group and skips groups by their min/max; uploads
 * are written with DuckDB's default of 122,880 rows. Half of it lets a filter skip finer slices while keeping
 * per-group overhead (one range request per column chunk) small.
 */
export const ROW_GROUP_ROWS = 61_440;

/** Types written as they are; anything else (enums, JSON, unions, bit strings…) as text, which every DuckDB-WASM
 * reads without an extension and Parquet holds without loss of the value's text. */
const KEPT = new Set<DuckDBTypeId>([
  DuckDBTypeId.BOOLEAN,
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.DATE,
  DuckDBTypeId.TIME,
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
  DuckDBTypeId.INTERVAL,
  DuckDBTypeId.VARCHAR,
  DuckDBTypeId.BLOB,
  DuckDBTypeId.UUID,
  DuckDBTypeId.LIST,
  DuckDBTypeId.STRUCT
]);

function keeps(t: DuckDBType): boolean {
  if (!KEPT.has(t.typeId) || t.alias) return false;
  if (t.typeId === DuckDBTypeId.LIST) return keeps((t as unknown as { valueType: DuckDBType }).valueType);
  if (t.typeId === DuckDBTypeId.STRUCT)
    return (t as unknown as { entryTypes: DuckDBType[] }).entryTypes.every(keeps);
  return true;
}

export type ExportResult = { rows: number; columns: { name: string; type: string }[] };

/**
 * Writes `columns` of `name` (a table or view in `bench`) to `dest`, which must lie inside `allowedDir`.
 * The writing DuckDB is closed before returning, whatever happens.
 */
export async function exportParquet(
  bench: DuckDBConnection,
  name: string,
  columns: string[],
  allowedDir: string,
  dest: string
): Promise<ExportResult> {
  if (path.dirname(path.resolve(dest)) !== path.resolve(allowedDir))
    throw new Error('A base table may only be written into the snapshot’s folder.');
  const probe = await bench.stream(`select ${columns.map(ident).join(', ')} from ${ident(name)} limit 0`);
  const types = probe.columnTypes();
  const select = columns
    .map((c, i) => (keeps(types[i]!) ? ident(c) : `cast(${ident(c)} as varchar) as ${ident(c)}`))
    .join(', ');
  const result = await bench.stream(`select ${select} from ${ident(name)}`);
  const out = await DuckDBInstance.create(':memory:', { threads: '1' });
  const w = await out.connect();
  try {
    await w.run(`set memory_limit = '512MB'`);
    await w.run(`set temp_directory = ''`);
    await w.run('set autoinstall_known_extensions = false');
    await w.run('set autoload_known_extensions = false');
    await w.run(`set allowed_directories = [${literal(path.resolve(allowedDir) + path.sep)}]`);
    await w.run('set enable_external_access = false');
    await w.run('set lock_configuration = true');
    const outTypes = result.columnTypes();
    const defs = result.columnNames().map((c, i) => `${ident(c)} ${outTypes[i]!.toString()}`);
    await w.run(`create table data (${defs.join(', ')})`);
    const appender = await w.createAppender('data');
    let rows = 0;
    for (
      let chunk = await result.fetchChunk();
      chunk && chunk.rowCount > 0;
      chunk = await result.fetchChunk()
    ) {
      appender.appendDataChunk(chunk);
      rows += chunk.rowCount;
    }
    appender.closeSync();
    await w.run(`copy data to ${literal(dest)} (format parquet, row_group_size ${ROW_GROUP_ROWS})`);
    const described = await w.runAndReadAll(
      `select column_name, column_type from (describe select * from read_parquet(${literal(dest)}))`
    );
    return {
      rows,
      columns: described.getRows().map(([n, t]) => ({ name: String(n), type: String(t) }))
    };
  } finally {
    w.closeSync();
    out.closeSync();
  }
}
