// A first chart for a freshly picked source, from its column types: a time series as a line, a category and a
// number as sorted bars, a lone number as a histogram, categories alone as counts.
import type { ChartConfig } from './config';
import { typeForArrow, type ColumnInfo } from './spec';

export function defaultChart(source: string, columns: ColumnInfo[]): ChartConfig {
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
      y: { field: number.name, type: 'quantitative', aggregate: 'sum' },
      ...(category ? { color: { field: category.name, type: 'nominal' as const } } : {})
    };
  if (category && number)
    return {
      ...base,
      mark: 'bar',
      x: { field: category.name, type: 'nominal', sort: '-y' },
      y: { field: number.name, type: 'quantitative', aggregate: 'sum' }
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
