// Builder settings → a Vega-Lite spec. The spec reads its rows from the data source named `source`, which the
// chart fills in; it carries no theme (the app applies one when rendering), so spec mode shows what matters.
import type { Channel, ChannelName, ChartConfig } from './config';

/** A Vega-Lite spec as plain JSON; vega-lite's own compile() is what checks it (see validate.ts). */
export type VlSpec = { [key: string]: unknown };
export type FieldDef = { [key: string]: unknown };

export const DATA_NAME = 'source';
export const SCHEMA_URL = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Histograms: finer than Vega-Lite's default of 10 bins. */
export const HISTOGRAM_BINS = 30;

export type ColumnInfo = { name: string; type: string };

const AGG_TITLES: Record<string, string> = {
  count: 'Count',
  sum: 'Sum',
  mean: 'Average',
  median: 'Median',
  min: 'Min',
  max: 'Max',
  distinct: 'Distinct count'
};

/** The axis/legend title Sheaf gives a channel; also kept when the data is pre-aggregated. */
export function channelTitle(c: Channel): string {
  if (c.aggregate === 'count' && !c.field) return 'Count of rows';
  if (c.aggregate) return `${AGG_TITLES[c.aggregate]} of ${c.field}`;
  return c.field;
}

export function fieldDef(c: Channel, opts: { maxbins?: number } = {}): FieldDef {
  const def: FieldDef = { type: c.type };
  if (c.field) def.field = c.field;
  if (c.aggregate) def.aggregate = c.aggregate;
  if (c.timeUnit) def.timeUnit = `utc${c.timeUnit}`;
  else if (c.type === 'temporal') def.scale = { type: 'utc' }; // DuckDB timestamps have no zone: show them as stored
  if (c.bin) def.bin = opts.maxbins ? { maxbins: opts.maxbins } : true;
  if (c.sort) def.sort = c.sort;
  def.title = channelTitle(c);
  return def;
}

const usable = (c: Channel | undefined): c is Channel => !!c && (!!c.field || c.aggregate === 'count');

export function buildSpec(config: ChartConfig, columns: ColumnInfo[] = []): VlSpec {
  const encoding: Record<string, FieldDef> = {};
  const put = (channel: string, c: Channel | undefined, opts?: { maxbins?: number }) => {
    if (usable(c)) encoding[channel] = fieldDef(c, opts);
  };
  let mark: Record<string, unknown> = { type: config.mark, tooltip: true };
  switch (config.mark) {
    case 'histogram': {
      mark = { type: 'bar', tooltip: true };
      if (config.x?.field)
        put(
          'x',
          { ...config.x, type: 'quantitative', bin: true, aggregate: undefined },
          {
            maxbins: HISTOGRAM_BINS
          }
        );
      // A histogram's height is always a count (the builder offers no y for it).
      put('y', { field: '', type: 'quantitative', aggregate: 'count' });
      put('color', config.color);
      break;
    }
    case 'arc': {
      // A pie: the x setting is the category (slice colour), y the value (angle).
      put('theta', usable(config.y) ? config.y : { field: '', type: 'quantitative', aggregate: 'count' });
      put('color', config.x ?? config.color);
      break;
    }
    case 'boxplot': {
      mark = { type: 'boxplot', extent: 'min-max' };
      put('x', config.x);
      put('y', config.y && { ...config.y, aggregate: undefined });
      put('color', config.color);
      break;
    }
    default: {
      if (config.mark === 'line' || config.mark === 'area') mark = { ...mark, interpolate: 'monotone' };
      if (config.mark === 'point') mark = { ...mark, filled: true, opacity: 0.7 };
      put('x', config.x);
      put('y', config.y);
      put('color', config.color);
      put('size', config.size);
    }
  }
  put('column', config.column);
  // A sort by another channel's value needs that channel (a pie has no y; an axis may be unset).
  for (const def of Object.values(encoding)) {
    if (typeof def.sort === 'string' && /^-?[xy]$/.test(def.sort) && !encoding[def.sort.replace('-', '')])
      delete def.sort;
  }
  if (config.tooltip?.length && config.mark !== 'boxplot') {
    const types = new Map(columns.map((c) => [c.name, c.type]));
    const shown = Object.entries(encoding)
      .filter(([ch]) => ch !== 'column')
      .map(([, def]) => def);
    const extra = config.tooltip
      .filter((f) => !shown.some((d) => d.field === f && !d.aggregate))
      .map((f) => ({ field: f, type: typeForArrow(types.get(f) ?? '') }));
    encoding.tooltip = [...shown, ...extra] as unknown as FieldDef;
  }
  const spec: VlSpec = { $schema: SCHEMA_URL, data: { name: DATA_NAME } };
  if (config.title) spec.title = config.title;
  spec.mark = mark;
  spec.encoding = encoding;
  // Faceted charts cannot fill the container's width; each panel gets a fixed one.
  if (config.column) spec.width = 180;
  else spec.width = 'container';
  spec.height = 260;
  return spec;
}

/** The Vega-Lite field type a column of this Arrow type reads as. */
export function typeForArrow(arrowType: string): Channel['type'] {
  const t = arrowType.toLowerCase();
  if (/^(date|timestamp)/.test(t)) return 'temporal';
  if (/^(int|uint|float|double|decimal)/.test(t)) return 'quantitative';
  return 'nominal';
}

export const encodedChannels = (config: ChartConfig): ChannelName[] =>
  (['x', 'y', 'color', 'size', 'column'] as const).filter((ch) => usable(config[ch]));
