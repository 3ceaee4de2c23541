// What a chart cell's shared `config` map holds. Every key is checked on read, since any client can write to
// the document; a bad value reads as unset rather than breaking the chart.
import { z } from 'zod';
import { readKeyByKey } from '../read-config';

export const MARKS = ['bar', 'line', 'area', 'point', 'arc', 'rect', 'boxplot', 'histogram'] as const;
export type Mark = (typeof MARKS)[number];

export const MARK_LABELS: Record<Mark, string> = {
  bar: 'Bar',
  line: 'Line',
  area: 'Area',
  point: 'Scatter',
  arc: 'Pie',
  rect: 'Heatmap',
  boxplot: 'Box plot',
  histogram: 'Histogram'
};

export const FIELD_TYPES = ['quantitative', 'nominal', 'ordinal', 'temporal'] as const;
export const AGGREGATES = ['count', 'sum', 'mean', 'median', 'min', 'max', 'distinct'] as const;
/** Time units that truncate a date (so they can also be computed in SQL); shown in UTC. */
export const TIME_UNITS = [
  'year',
  'yearquarter',
  'yearmonth',
  'yearmonthdate',
  'yearmonthdatehours'
] as const;
export const SORTS = ['ascending', 'descending', 'x', '-x', 'y', '-y'] as const;

export const ChannelSchema = z.object({
  /** Empty for a plain count. */
  field: z.string().max(300).default(''),
  type: z.enum(FIELD_TYPES),
  aggregate: z.enum(AGGREGATES).optional(),
  timeUnit: z.enum(TIME_UNITS).optional(),
  bin: z.boolean().optional(),
  sort: z.enum(SORTS).optional()
});
export type Channel = z.infer<typeof ChannelSchema>;

export const CHANNELS = ['x', 'y', 'color', 'size', 'column'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/**
 * Cross-filtering (issue 21): clicking a mark sets the input cell named `input` to the mark's value of `field`, a
 * column the chart draws. Read by cells/chart/cross-filter.ts.
 */
export const CrossFilterSchema = z.object({
  input: z.string().min(1).max(63),
  field: z.string().min(1).max(300)
});
export type CrossFilter = z.infer<typeof CrossFilterSchema>;

export const ChartConfigSchema = z.object({
  /** 'builder': the spec is generated from the fields below; 'spec': the Vega-Lite JSON in the cell's source. */
  mode: z.enum(['builder', 'spec']).default('builder'),
  /** Result name of the SQL cell charted. */
  source: z.string().max(63).default(''),
  mark: z.enum(MARKS).default('bar'),
  title: z.string().max(300).optional(),
  x: ChannelSchema.optional(),
  y: ChannelSchema.optional(),
  color: ChannelSchema.optional(),
  size: ChannelSchema.optional(),
  column: ChannelSchema.optional(),
  /** Extra fields shown on hover. */
  tooltip: z.array(z.string().max(300)).max(20).optional(),
  /** Clicking a mark sets an input. */
  crossFilter: CrossFilterSchema.optional()
});
export type ChartConfig = z.infer<typeof ChartConfigSchema>;

/** Reads a config map's plain values key by key, dropping the ones that do not validate. */
export const readChartConfig = (raw: Record<string, unknown>): ChartConfig =>
  readKeyByKey(ChartConfigSchema, raw);
