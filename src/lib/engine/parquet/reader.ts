// Reads chosen row groups and columns of a Parquet file over HTTP range requests (hyparquet) and hands them over
// as one Arrow table: a column `__rg` (the row group each row came from) and `c_<name>` per column, in row-group
// order. Nothing else of the file is fetched.
import { makeVector, Table, type Vector } from 'apache-arrow';
import {
  asyncBufferFromUrl,
  cachedAsyncBuffer,
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
  type SchemaElement
} from 'hyparquet';
import { columnVector } from './arrow-column';
import type { ColumnCodec } from './column-codec';

/** Dates and timestamps stay integers (days, micro/milliseconds): no precision is lost on the way to DuckDB. */
const RAW_PARSERS = {
  dateFromDays: (d: number) => d,
  timestampFromMicroseconds: (v: bigint) => v,
  timestampFromMilliseconds: (v: bigint) => v
};

export type RemoteParquet = {
  file: AsyncBuffer;
  metadata: FileMetaData;
  /** Top-level columns by name. */
  elements: Map<string, SchemaElement>;
  groupRows: number[];
};

export async function openRemoteParquet(url: string): Promise<RemoteParquet> {
  const head = await fetch(url, { method: 'HEAD' });
  if (!head.ok) throw Object.assign(new Error(`HTTP ${head.status}`), { status: head.status });
  const byteLength = Number(head.headers.get('content-length'));
  const file = cachedAsyncBuffer(await asyncBufferFromUrl({ url, byteLength }));
  const metadata = await parquetMetadataAsync(file, { parsers: RAW_PARSERS });
  const elements = new Map(parquetSchema(metadata).children.map((c) => [c.element.name, c.element]));
  return { file, metadata, elements, groupRows: metadata.row_groups.map((g) => Number(g.num_rows)) };
}

export type ReadColumn = { name: string; codec: ColumnCodec };

/** Row groups `groups` (in this order) of columns `columns`, as one Arrow table. */
export async function readGroups(pq: RemoteParquet, groups: number[], columns: ReadColumn[]): Promise<Table> {
  const starts = prefixSums(pq.groupRows);
  const total = groups.reduce((n, g) => n + pq.groupRows[g]!, 0);
  const values = new Map(columns.map((c) => [c.name, new Array<unknown>(total)]));
  const rg = new Int32Array(total);
  // Decimals are read as their unscaled integers: hyparquet would turn them into (rounded) JS numbers.
  const rawNames = new Set(columns.filter((c) => c.codec.raw).map((c) => c.name));
  const metadata = rawNames.size
    ? {
        ...pq.metadata,
        schema: pq.metadata.schema.map((el) =>
          rawNames.has(el.name) ? { ...el, converted_type: undefined, logical_type: undefined } : el
        )
      }
    : pq.metadata;
  let offset = 0;
  for (const g of groups) {
    const rows = pq.groupRows[g]!;
    rg.fill(g, offset, offset + rows);
    if (columns.length) {
      const start = starts[g]!;
      const at = offset;
      await parquetRead({
        file: pq.file,
        metadata,
        columns: columns.map((c) => c.name),
        rowStart: start,
        rowEnd: start + rows,
        parsers: RAW_PARSERS,
        onChunk(chunk) {
          const out = values.get(chunk.columnName);
          if (!out) return;
          const from = Math.max(chunk.rowStart, start);
          const to = Math.min(chunk.rowEnd, start + rows);
          for (let r = from; r < to; r++) out[at + r - start] = chunk.columnData[r - chunk.rowStart];
        }
      });
    }
    offset += rows;
  }
  const vectors: Record<string, Vector> = { __rg: makeVector(rg) };
  for (const c of columns) {
    const raw = values.get(c.name)!;
    const convert = c.codec.toArrow;
    const data = raw.map((v) => (v === undefined ? null : convert ? convert(v) : v));
    vectors[`c_${c.name}`] = columnVector(c.codec.arrow, data);
  }
  return new Table(vectors);
}

function prefixSums(counts: number[]): number[] {
  const out: number[] = [];
  let sum = 0;
  for (const n of counts) {
    out.push(sum);
    sum += n;
  }
  return out;
}
