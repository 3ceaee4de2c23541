// Cross-filtering (issue 21): a chart whose marks set an input when clicked. What a chart offers to pick, what a
// click sets the input to, and the drawn spec with the other marks dimmed while the input holds a value. Plain
// functions of specs and values, so the notebook (cells/chart/ui/), the dashboard page and the server share them;
// src/lib/charts/cross-filter.ts attaches them to a drawn chart.
//
// The dimming is applied to the spec as drawn — after chart-data.ts, which may have moved the aggregation into SQL
// and renamed the fields (`region` → `__d0`): its analysis refuses specs with params or conditions, so adding them
// before would turn a big chart's aggregation into a sample. The picked values live in a Vega signal, so a new
// value re-colours the drawn chart without reading its rows again.
import { z } from 'zod';
import type { Widget } from '../input/config';
import type { WidgetValue } from '../input/value';
import type { ChartConfig } from './config';
import type { VlSpec } from './spec';

/** The widgets a click can set: one value (a dropdown, text) or a list of them (a multi-select). */
export const CROSS_FILTER_WIDGETS = ['dropdown', 'text', 'multiselect'] as const;
export type CrossFilterWidget = (typeof CROSS_FILTER_WIDGETS)[number];
export const isCrossFilterWidget = (w: Widget): w is CrossFilterWidget =>
  (CROSS_FILTER_WIDGETS as readonly string[]).includes(w);

/** The Vega signal holding the picked values, as text. */
export const PICKED_SIGNAL = 'sheaf_picked';
/** How visible the marks not picked stay. */
export const DIMMED_OPACITY = 0.3;

/**
 * A chart's cross-filter as a drawn chart needs it: the input's name, the field (source column) and the encoding
 * channel that draws it. The channel survives chart-data's rewrite, the field's name may not (see drawnField).
 */
export const CrossFilterTargetSchema = z.object({
  input: z.string().min(1).max(63),
  field: z.string().min(1).max(300),
  channel: z.string().min(1).max(20)
});
export type CrossFilterTarget = z.infer<typeof CrossFilterTargetSchema>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Channels whose field is never a mark's own category. */
const NOT_PICKABLE = new Set(['tooltip', 'x2', 'y2', 'text', 'href', 'url', 'description', 'order']);

/**
 * The fields a click can pick, each with the channel drawing it: columns on the spec's top-level encoding as they
 * are (not summarised, binned or cut to a time unit, whose marks do not hold one value of the column).
 */
export function pickableFields(spec: VlSpec | null): { field: string; channel: string }[] {
  const out: { field: string; channel: string }[] = [];
  if (!spec || !isObject(spec.encoding)) return out;
  for (const [channel, def] of Object.entries(spec.encoding)) {
    if (NOT_PICKABLE.has(channel) || !isObject(def)) continue;
    if (typeof def.field !== 'string' || def.field === '') continue;
    if (def.aggregate !== undefined || (def.bin !== undefined && def.bin !== false)) continue;
    if (def.timeUnit !== undefined) continue;
    if (!out.some((f) => f.field === def.field)) out.push({ field: def.field, channel });
  }
  return out;
}

/** The chart's cross-filter against its spec (before chart-data's rewrite); null when unset or not drawn. */
export function crossFilterTarget(config: ChartConfig, spec: VlSpec | null): CrossFilterTarget | null {
  const cross = config.crossFilter;
  if (!cross) return null;
  const hit = pickableFields(spec).find((f) => f.field === cross.field);
  return hit ? { input: cross.input, field: cross.field, channel: hit.channel } : null;
}

/** The name the drawn rows carry the field under: the column's own, or the alias chart-data's SQL gave it. */
export function drawnField(drawn: VlSpec, target: CrossFilterTarget): string | null {
  const def = isObject(drawn.encoding) ? drawn.encoding[target.channel] : undefined;
  return isObject(def) && typeof def.field === 'string' && def.field ? def.field : null;
}

/** A value as the chart compares it with its marks': text (Vega's toString of the mark's value). */
const asText = (v: string | number): string => String(v);

/** The picked values as text: none while the input is empty. */
export function pickedValues(value: WidgetValue | null): string[] {
  if (Array.isArray(value)) return value.map(asText);
  if (typeof value === 'number') return [asText(value)];
  if (typeof value === 'string' && value !== '') return [value];
  return [];
}

/** What clearing sets the input to, as its own control does: a multi-select none chosen, else no value. */
export const clearedValue = (widget: CrossFilterWidget): WidgetValue | null =>
  widget === 'multiselect' ? [] : null;

/** A mark's value of the field as an input can hold it (text or a number), or null when it has none. */
function asOption(v: unknown): string | number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return null;
}

/**
 * What clicking a mark whose field holds `clicked` sets the input to: that value (a text input gets it as text, a
 * multi-select a list of it); clicking the one picked mark again clears the input. Undefined: the mark has no
 * value of the field (a missing value), so the click changes nothing.
 */
export function valueOnClick(
  widget: CrossFilterWidget,
  current: WidgetValue | null,
  clicked: unknown
): WidgetValue | null | undefined {
  const option = asOption(clicked);
  if (option === null) return undefined;
  const picked = pickedValues(current);
  if (picked.length === 1 && picked[0] === asText(option)) return clearedValue(widget);
  return valueOf(widget, option);
}

/** The input's value picking `mark` (a mark's value of the field): as text for a text input, a list for a
 * multi-select. Undefined when the mark has no value. */
export function valueOf(widget: CrossFilterWidget, mark: unknown): WidgetValue | undefined {
  const option = asOption(mark);
  if (option === null) return undefined;
  if (widget === 'text') return String(option);
  return widget === 'multiselect' ? [option] : option;
}

/**
 * The mark value the arrow keys move to from the input's value: the next (`step` 1) or previous (-1) of the
 * chart's values in the order drawn, from the first or last when none of them is picked.
 */
export function steppedValue(values: readonly unknown[], current: WidgetValue | null, step: 1 | -1): unknown {
  if (values.length === 0) return undefined;
  const picked = pickedValues(current);
  const at =
    picked.length === 1
      ? values.findIndex((v) => asOption(v) !== null && asText(asOption(v)!) === picked[0])
      : -1;
  if (at < 0) return step === 1 ? values[0] : values[values.length - 1];
  return values[Math.min(values.length - 1, Math.max(0, at + step))];
}

/** A Vega expression's string literal (JSON's, with the two line breaks JSON leaves raw escaped). */
const exprString = (s: string) =>
  JSON.stringify(s)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

export type CrossFilterSpec = {
  spec: VlSpec;
  /** The field's name in the drawn rows (null: the chart does not draw it, so clicks cannot read it). */
  field: string | null;
  /** Whether the spec dims the marks not picked (through PICKED_SIGNAL). */
  dims: boolean;
};

/**
 * The drawn spec with the marks whose field is not among the input's values dimmed, while it holds any. Single
 * charts and layers only (a facet through the `column` channel counts as single); specs that already set opacity
 * through the encoding, or a param of the same name, are left as they are: clicks still set the input.
 */
export function withCrossFilter(
  drawn: VlSpec,
  target: CrossFilterTarget,
  value: WidgetValue | null
): CrossFilterSpec {
  const field = drawnField(drawn, target);
  const encoding = drawn.encoding;
  const params = Array.isArray(drawn.params) ? drawn.params : [];
  const unit = drawn.mark !== undefined || Array.isArray(drawn.layer);
  if (!field || !isObject(encoding) || !unit || 'opacity' in encoding)
    return { spec: drawn, field, dims: false };
  if (params.some((p) => isObject(p) && p.name === PICKED_SIGNAL)) return { spec: drawn, field, dims: false };
  const mark = drawn.mark;
  const markDef = isObject(mark) ? mark : typeof mark === 'string' ? { type: mark } : null;
  const opacity = typeof markDef?.opacity === 'number' ? markDef.opacity : 1;
  const test = `!length(${PICKED_SIGNAL}) || indexof(${PICKED_SIGNAL}, toString(datum[${exprString(field)}])) >= 0`;
  const spec: VlSpec = {
    ...drawn,
    params: [...params, { name: PICKED_SIGNAL, value: pickedValues(value) }],
    encoding: { ...encoding, opacity: { condition: { test, value: opacity }, value: DIMMED_OPACITY } }
  };
  if (markDef) spec.mark = { ...markDef, cursor: 'pointer' };
  return { spec, field, dims: true };
}
