// The rows a chart draws, read from the notebook's DuckDB: all of them for a small result; for a big one the
// spec's aggregation done in SQL (the spec rewritten to match), or else a random sample. Says which happened.
import {
  aggregateQuery,
  analyze,
  binnedFields,
  extentQuery,
  quoteIdent,
  RAW_ROW_LIMIT,
  type Extents
} from '$cells/chart/aggregate';
import type { VlSpec } from '$cells/chart/spec';
import type { Table } from 'apache-arrow';
import { tableRows } from './arrow-rows';

export type ChartData = { spec: VlSpec; rows: Record<string, unknown>[]; total: number; note: string };

/** Runs a read-only query over the notebook's tables (see NotebookEngine.query). */
export type Query = (sql: string) => Promise<Table>;

export async function chartData(spec: VlSpec, source: string, query: Query): Promise<ChartData> {
  const table = quoteIdent(source);
  const count = await query(`select count(*)::double as n from ${table}`);
  const total = Number(count.get(0)?.n ?? 0);
  if (total <= RAW_ROW_LIMIT) {
    return { spec, rows: tableRows(await query(`select * from ${table}`)), total, note: '' };
  }
  const analysis = analyze(spec);
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
    const rows = tableRows(await query(plan.sql));
    return {
      spec: plan.spec,
      rows,
      total,
      note: `Aggregated in DuckDB: ${total.toLocaleString('en-US')} rows → ${rows.length.toLocaleString('en-US')} ${rows.length === 1 ? 'row' : 'rows'}`
    };
  }
  const rows = tableRows(
    await query(`select * from ${table} using sample reservoir(${RAW_ROW_LIMIT} rows) repeatable (42)`)
  );
  return {
    spec,
    rows,
    total,
    note: `Showing a random sample of ${rows.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`
  };
}
