// Charts over big results: the aggregation a Vega-Lite spec asks for (group by its dimensions, time units and
// bins; aggregate its measures) rewritten as one DuckDB query, and the spec rewritten to draw the aggregated rows
// as they are. Only shapes whose SQL gives exactly what Vega would compute are planned; anything else (layers,
// transforms, raw scatter plots…) returns null and the caller samples instead.
import { ident } from '../sql/quote';
import { binStartSql, niceBins, type Bins } from './bins';
import type { FieldDef, VlSpec } from './spec';

/** Above this many rows a chart is aggregated in DuckDB (or sampled) before it reaches Vega. */
export const RAW_ROW_LIMIT = 50_000;

const MARKS = new Set(['bar', 'line', 'area', 'rect', 'arc', 'point', 'circle', 'square', 'tick', 'trail']);
const CHANNELS = new Set([
  'x',
  'y',
  'color',
  'fill',
  'stroke',
  'size',
  'opacity',
  'theta',
  'column',
  'row',
  'shape'
]);

const POINTS = new Set(['point', 'circle', 'square', 'tick']);

const TIME_TRUNC: Record<string, string> = {
  year: 'year',
  yearquarter: 'quarter',
  yearmonth: 'month',
  yearmonthdate: 'day',
  yearmonthdatehours: 'hour',
  yearmonthdatehoursminutes: 'minute'
};

const AGG_SQL: Record<string, (f: string) => string> = {
  count: () => 'count(*)',
  valid: (f) => `count(${f})`,
  // Vega counts a missing value as one more distinct value; count(distinct) leaves it out.
  distinct: (f) => `count(distinct ${f}) + (count(*) > count(${f}))::int`,
  sum: (f) => `sum(${f})::double`,
  mean: (f) => `avg(${f})::double`,
  average: (f) => `avg(${f})::double`,
  median: (f) => `median(${f})::double`,
  min: (f) => `min(${f})`,
  max: (f) => `max(${f})`,
  variance: (f) => `var_samp(${f})::double`,
  stdev: (f) => `stddev_samp(${f})::double`,
  q1: (f) => `quantile_cont(${f}, 0.25)::double`,
  q3: (f) => `quantile_cont(${f}, 0.75)::double`
};

const AGG_TITLE: Record<string, string> = {
  valid: 'Valid',
  distinct: 'Distinct of',
  sum: 'Sum of',
  mean: 'Mean of',
  average: 'Average of',
  median: 'Median of',
  min: 'Min of',
  max: 'Max of',
  variance: 'Variance of',
  stdev: 'Stdev of',
  q1: 'Q1 of',
  q3: 'Q3 of'
};

type Dim = { channel: string; def: FieldDef; field: string; kind: 'plain' | 'time' | 'bin'; maxbins: number };
type Measure = { channel: string; def: FieldDef; field: string; op: string };

export type Analysis = { dims: Dim[]; measures: Measure[]; spec: VlSpec };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
/** A plain column name: Vega-Lite reads dots and brackets as paths into nested values. */
const plainField = (f: unknown): f is string => typeof f === 'string' && f !== '' && !/[.[\]\\]/.test(f);

/** The aggregation a spec performs, or null when it is not one we can move into SQL exactly. */
/** How each column of the source reads (from its Arrow types): what SQL can bin, truncate or sum. */
export type ColumnKinds = Record<string, 'quantitative' | 'temporal' | 'nominal' | 'ordinal'>;

const NUMERIC_OPS = new Set(['sum', 'mean', 'average', 'median', 'variance', 'stdev', 'q1', 'q3']);

export function analyze(spec: VlSpec, kinds: ColumnKinds): Analysis | null {
  const markType = typeof spec.mark === 'string' ? spec.mark : isObject(spec.mark) ? spec.mark.type : null;
  if (typeof markType !== 'string' || !MARKS.has(markType)) return null;
  if (spec.transform !== undefined || spec.layer || spec.facet || spec.repeat || spec.params) return null;
  if (!isObject(spec.encoding)) return null;
  const dims: Dim[] = [];
  const measures: Measure[] = [];
  for (const [channel, raw] of Object.entries(spec.encoding)) {
    if (channel === 'tooltip' || channel === 'x2' || channel === 'y2') continue; // checked below
    if (!CHANNELS.has(channel) || !isObject(raw)) return null;
    if (raw.condition !== undefined) return null;
    if (raw.field === undefined && raw.aggregate === undefined) continue; // a constant value
    const one = classify(channel, raw, kinds);
    if (!one) return null;
    if ('op' in one) measures.push(one);
    else dims.push(one);
  }
  if (measures.length === 0 && !dims.some((d) => d.kind === 'bin')) return null; // nothing to aggregate
  if (spec.encoding.x2 !== undefined || spec.encoding.y2 !== undefined) return null;
  const tooltip = spec.encoding.tooltip;
  if (tooltip !== undefined && tooltip !== null) {
    for (const t of Array.isArray(tooltip) ? tooltip : [tooltip]) {
      if (!isObject(t)) return null;
      const same = [...dims, ...measures].some((d) => sameDef(d.def, t));
      if (!same) return null;
    }
  }
  return { dims, measures, spec };
}

function classify(channel: string, def: Record<string, unknown>, kinds: ColumnKinds): Dim | Measure | null {
  // A field the source lacks, or of a type the SQL cannot handle, is left to Vega (which coerces and copes).
  const kind = typeof def.field === 'string' ? kinds[def.field] : undefined;
  if (def.aggregate !== undefined) {
    const op = def.aggregate;
    if (typeof op !== 'string' || !AGG_SQL[op] || def.bin || def.timeUnit) return null;
    if (op === 'count') return { channel, def, field: '', op };
    if (!plainField(def.field) || !kind || (NUMERIC_OPS.has(op) && kind !== 'quantitative')) return null;
    return { channel, def, field: def.field, op };
  }
  if (!plainField(def.field) || !kind) return null;
  if (isObject(def.sort) || Array.isArray(def.sort)) return null; // sorts by raw fields need the raw rows
  if (def.bin !== undefined && def.bin !== false) {
    if (channel !== 'x' && channel !== 'y') return null;
    const opts = def.bin === true ? {} : def.bin;
    if (!isObject(opts) || Object.keys(opts).some((k) => k !== 'maxbins')) return null;
    if (kind !== 'quantitative') return null;
    const maxbins = typeof opts.maxbins === 'number' ? opts.maxbins : 10;
    return { channel, def, field: def.field, kind: 'bin', maxbins };
  }
  if (def.timeUnit !== undefined) {
    // Only UTC units: SQL truncates stored times as they are, while a local unit would shift them by the
    // viewer's zone. (The builder always writes UTC units.)
    if (typeof def.timeUnit !== 'string' || !def.timeUnit.startsWith('utc')) return null;
    if (!TIME_TRUNC[def.timeUnit.slice(3)] || kind !== 'temporal') return null;
    return { channel, def, field: def.field, kind: 'time', maxbins: 0 };
  }
  return { channel, def, field: def.field, kind: 'plain', maxbins: 0 };
}

const objectOr = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});

/** Vega-Lite's own title for a field, e.g. "sold_at (year-month)". */
function defaultTitle(d: Dim): string {
  if (d.kind !== 'time') return d.field;
  const unit = String(d.def.timeUnit).replace(/^utc/, '');
  const parts = ['year', 'quarter', 'month', 'date', 'hours', 'minutes'].filter((p) => unit.includes(p));
  return `${d.field} (${parts.join('-')})`;
}

function sameDef(a: FieldDef, b: Record<string, unknown>): boolean {
  return (
    a.field === b.field && a.aggregate === b.aggregate && a.timeUnit === b.timeUnit && !!a.bin === !!b.bin
  );
}

/** Fields whose min and max the bins need before the query can be written. */
export const binnedFields = (a: Analysis): string[] =>
  a.dims.filter((d) => d.kind === 'bin').map((d) => d.field);

export type Extents = Record<string, { min: number | null; max: number | null }>;

/** The aggregating query over table `source`, and the spec that draws its rows. */
export function aggregateQuery(a: Analysis, source: string, extents: Extents): { sql: string; spec: VlSpec } {
  const select: string[] = [];
  const groups: string[] = [];
  const encoding: Record<string, unknown> = { ...(a.spec.encoding as Record<string, unknown>) };
  const rewritten = new Map<FieldDef, FieldDef>();
  const filters: string[] = [];
  a.dims.forEach((d, i) => {
    const alias = `__d${i}`;
    const col = ident(d.field);
    const { sort: _sort, ...rest } = d.def;
    if (d.kind === 'bin') {
      const e = extents[d.field];
      const bins: Bins = niceBins(e?.min ?? 0, e?.max ?? 0, d.maxbins);
      select.push(
        `${binStartSql(col, bins)} as ${alias}`,
        `${binStartSql(col, bins)} + ${bins.step} as ${alias}_end`
      );
      // The scale and ticks Vega-Lite would derive from its own bin signal, given explicitly.
      const stop = bins.start + Math.ceil((bins.stop - bins.start) / bins.step) * bins.step;
      const size = d.channel === 'x' ? 'width' : 'height';
      const def = {
        ...rest,
        field: alias,
        bin: { binned: true, step: bins.step },
        scale: {
          domain: [bins.start, stop],
          bins: { start: bins.start, stop, step: bins.step },
          ...objectOr(d.def.scale)
        },
        axis:
          d.def.axis === null ? null : { tickCount: { expr: `ceil(${size}/10)` }, ...objectOr(d.def.axis) },
        title: d.def.title ?? `${d.field} (binned)`
      };
      encoding[d.channel] = def;
      encoding[`${d.channel}2`] = { field: `${alias}_end` };
      rewritten.set(d.def, def);
      groups.push(alias, `${alias}_end`);
    } else {
      const expr =
        d.kind === 'time'
          ? `date_trunc('${TIME_TRUNC[String(d.def.timeUnit).replace(/^utc/, '')]}', ${col}::timestamp)`
          : col;
      select.push(`${expr} as ${alias}`);
      const def = { ...d.def, field: alias, title: d.def.title ?? defaultTitle(d) };
      encoding[d.channel] = def;
      rewritten.set(d.def, def);
      groups.push(alias);
    }
    // Vega-Lite leaves out rows whose continuous fields are null; so must the query.
    if (d.def.type === 'quantitative' || d.def.type === 'temporal' || d.kind !== 'plain')
      filters.push(`${col} is not null`);
    if (d.kind === 'bin') filters.push(`not isnan(${col}::double)`);
  });
  a.measures.forEach((m, i) => {
    const alias = `__m${i}`;
    select.push(`${AGG_SQL[m.op]!(ident(m.field))} as ${alias}`);
    const { aggregate: _agg, ...rest } = m.def;
    const title = m.def.title ?? (m.op === 'count' ? 'Count of Records' : `${AGG_TITLE[m.op]} ${m.field}`);
    const def = {
      ...rest,
      field: alias,
      type: m.op === 'min' || m.op === 'max' ? (m.def.type ?? 'quantitative') : 'quantitative',
      title
    };
    encoding[m.channel] = def;
    rewritten.set(m.def, def);
  });
  const tooltip = encoding.tooltip;
  if (Array.isArray(tooltip) || isObject(tooltip)) {
    const map = (t: Record<string, unknown>) => [...rewritten].find(([orig]) => sameDef(orig, t))?.[1] ?? t;
    encoding.tooltip = Array.isArray(tooltip)
      ? tooltip.map((t) => map(t as Record<string, unknown>))
      : map(tooltip);
  }
  // Vega-Lite draws un-aggregated points translucent; these points are aggregates, as in the original spec.
  let mark = a.spec.mark;
  const markType = typeof mark === 'string' ? mark : isObject(mark) ? mark.type : '';
  if (POINTS.has(String(markType)) && !(isObject(mark) && 'opacity' in mark) && !('opacity' in encoding))
    mark = { ...(isObject(mark) ? mark : { type: mark }), opacity: 1 };
  const where = filters.length ? ` where ${filters.join(' and ')}` : '';
  const group = groups.length ? ` group by ${groups.join(', ')}` : '';
  const sql = `select ${select.join(', ')} from ${ident(source)}${where}${group}`;
  return { sql, spec: { ...a.spec, mark, encoding } };
}

/** Min and max of the binned fields, in one query. */
export function extentQuery(fields: string[], source: string): string {
  const cols = fields.flatMap((f, i) => [
    // Vega's extent skips values that are not numbers.
    `min(${ident(f)}::double) filter (where not isnan(${ident(f)}::double)) as min${i}`,
    `max(${ident(f)}::double) filter (where not isnan(${ident(f)}::double)) as max${i}`
  ]);
  return `select ${cols.join(', ')} from ${ident(source)}`;
}
