// The rows a chart draws, read from the notebook's DuckDB: all of them for a small result (straight from its stored
// copy when there is one, without the engine); for a big one the spec's aggregation done in SQL (the spec rewritten
// to match), or else a random sample. Says which happened.
import {
  aggregateQuery,
  type ColumnKinds,
  analyze,
  binnedFields,
  extentQuery,
  RAW_ROW_LIMIT,
  type Extents
} from './aggregate';
import { typeForArrow, type VlSpec } from './spec';
import { ident } from '../sql/quote';
import type { Table } from 'apache-arrow';
import { tableRows } from './arrow-rows';

export type ChartData = { spec: VlSpec; rows: Record<string, unknown>[]; total: number; note: string };

/**
 * Runs a read-only query over the notebook's tables (see BrowserDuckDB.query). `stored`, where there is one, gives
 * the source result's stored copy when it holds every row and at most `maxRows` of them (else null): a small chart
 * then draws without starting the engine.
 */
export type Query = ((sql: string) => Promise<Table>) & {
  stored?: (source: string, maxRows: number) => Promise<Table | null>;
};

export async function chartData(spec: VlSpec, source: string, query: Query): Promise<ChartData> {
  const stored = await query.stored?.(source, RAW_ROW_LIMIT);
  if (stored && stored.numRows <= RAW_ROW_LIMIT)
    return { spec, rows: tableRows(stored), total: stored.numRows, note: '' };
  const table = ident(source);
  const count = await query(`select count(*)::double as n from ${table}`);
  const total = Number(count.get(0)?.n ?? 0);
  if (total <= RAW_ROW_LIMIT) {
    return { spec, rows: tableRows(await query(`select * from ${table}`)), total, note: '' };
  }
  const n = (x: number) => x.toLocaleString('en-US');
  const analysis = analyze(spec, await columnKinds(table, query));
  let tooMany = false;
  if (analysis) {
    const fields = binnedFields(analysis);
    const extents: Extents = {};
    if (fields.length) {
      const row = (await query(extentQuery(fields, source))).get(0);
      fields.forEach((f, i) => {
        extents[f] = {
          min: (row?.[`min${i}`] as number | null) ?? null,
          max: (row?.[`max${i}`] as number | null) ?? null
        };
      });
    }
    const plan = aggregateQuery(analysis, source, extents);
    // Grouping by something nearly unique (an exact timestamp) aggregates nothing; do not hand Vega millions.
    const result = await query(`${plan.sql} limit ${RAW_ROW_LIMIT + 1}`);
    if (result.numRows <= RAW_ROW_LIMIT) {
      const rows = tableRows(result);
      return {
        spec: plan.spec,
        rows,
        total,
        note: `Aggregated in DuckDB: ${n(total)} rows → ${n(rows.length)} ${rows.length === 1 ? 'row' : 'rows'}`
      };
    }
    tooMany = true;
  }
  const rows = tableRows(
    await query(`select * from ${table} using sample reservoir(${RAW_ROW_LIMIT} rows) repeatable (42)`)
  );
  const why = tooMany
    ? ` (grouped, it would still be over ${n(RAW_ROW_LIMIT)} points: try a time unit or bins)`
    : '';
  return {
    spec,
    rows,
    total,
    note: `Showing a random sample of ${n(rows.length)} of ${n(total)} rows${why}`
  };
}

/** What each column of the source reads as, from its Arrow types (no rows read). */
async function columnKinds(table: string, query: Query): Promise<ColumnKinds> {
  const { schema } = await query(`select * from ${table} limit 0`);
  return Object.fromEntries(schema.fields.map((f) => [f.name, typeForArrow(String(f.type))]));
}
