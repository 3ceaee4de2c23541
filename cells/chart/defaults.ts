// A first chart for a freshly picked source, from its column types: a time series as a line, a category and a
// number as sorted bars, a lone number as a histogram, categories alone as counts. The number is summed only
// when the x values repeat: a result with one row per category is charted as it is, labelled with the plain
// column name ("avg_price", not "Sum of avg_price").
import type { Query } from './chart-data';
import type { ChartConfig } from './config';
import { ident } from '../sql/quote';
import { typeForArrow, type ColumnInfo } from './spec';

/**
 * `repeats`: the columns whose values repeat in the result (see repeatingColumns). Unknown (undefined) counts as
 * repeating: a sum is right for any data, plain values only for one row per x.
 */
export function defaultChart(source: string, columns: ColumnInfo[], repeats?: Set<string>): ChartConfig {
  const summed = (x: string) => (!repeats || repeats.has(x) ? { aggregate: 'sum' as const } : {});
  const byType = (t: string) => columns.filter((c) => typeForArrow(c.type) === t);
  const time = byType('temporal')[0];
  const category = byType('nominal')[0];
  const number = byType('quantitative').find((c) => !/(^|_)id$/i.test(c.name)) ?? byType('quantitative')[0];
  const base = { mode: 'builder' as const, source };
  if (time && number)
    return {
      ...base,
      mark: 'line',
      x: { field: time.name, type: 'temporal' },
      y: { field: number.name, type: 'quantitative', ...summed(time.name) },
      ...(category ? { color: { field: category.name, type: 'nominal' as const } } : {})
    };
  if (category && number)
    return {
      ...base,
      mark: 'bar',
      x: { field: category.name, type: 'nominal', sort: '-y' },
      y: { field: number.name, type: 'quantitative', ...summed(category.name) }
    };
  if (number) return { ...base, mark: 'histogram', x: { field: number.name, type: 'quantitative' } };
  if (category || time) {
    const c = (category ?? time)!;
    return {
      ...base,
      mark: 'bar',
      x: {
        field: c.name,
        type: category ? 'nominal' : 'temporal',
        ...(category ? { sort: '-y' as const } : {})
      },
      y: { field: '', type: 'quantitative', aggregate: 'count' }
    };
  }
  return { ...base, mark: 'bar' };
}

/** Which of the category and time columns of `source` hold some value more than once. */
export async function repeatingColumns(
  source: string,
  columns: ColumnInfo[],
  query: Query
): Promise<Set<string>> {
  const candidates = columns.filter((c) => typeForArrow(c.type) !== 'quantitative').slice(0, 20);
  if (candidates.length === 0) return new Set();
  const distinct = candidates.map((c, i) => `count(distinct ${ident(c.name)})::double as d${i}`);
  const t = await query(`select count(*)::double as n, ${distinct.join(', ')} from ${ident(source)}`);
  const row = (t.get(0)?.toJSON() ?? {}) as Record<string, number>;
  return new Set(candidates.filter((_, i) => Number(row[`d${i}`]) < Number(row.n)).map((c) => c.name));
}
