// An input's value, typed by its widget. Values arrive from the shared document (any client can write it) and
// from people typing, so each is checked against the widget; a wrong one is refused with a message that says why.
import { z } from 'zod';
import { InputText, IsoDate, type InputValue } from '../sql/parameters';
import type { InputConfig, Option, Widget } from './config';
import { OptionSchema } from './config';

export const DateRangeSchema = z
  .object({ start: IsoDate, end: IsoDate })
  .refine((r) => r.start <= r.end, { message: 'The range ends before it starts.' });

const VALUE_SCHEMAS = {
  text: InputText,
  number: z.number().finite(),
  slider: z.number().finite(),
  dropdown: OptionSchema,
  multiselect: z.array(OptionSchema).max(1000),
  date: IsoDate,
  daterange: DateRangeSchema,
  checkbox: z.boolean()
} satisfies Record<Widget, z.ZodType>;

export type WidgetValue = string | number | boolean | Array<string | number> | { start: string; end: string };

/** What a widget holds before anyone chose: nothing, except the widgets that always show a value. */
export function emptyValue(widget: Widget, config: Pick<InputConfig, 'min'>): WidgetValue | null {
  if (widget === 'checkbox') return false;
  if (widget === 'multiselect') return [];
  if (widget === 'slider') return config.min ?? 0;
  return null;
}

export type ValueCheck = { ok: true; value: WidgetValue } | { ok: false; message: string };

/** Checks a value for a widget, including a number's bounds. */
export function checkValue(config: Pick<InputConfig, 'widget' | 'min' | 'max'>, raw: unknown): ValueCheck {
  const parsed = VALUE_SCHEMAS[config.widget].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const custom = issue?.code === 'custom' || issue?.code === 'invalid_format' ? issue.message : null;
    return { ok: false, message: custom ?? `Not a ${describeWidget(config.widget)}.` };
  }
  const value = parsed.data as WidgetValue;
  if (typeof value === 'number') {
    if (config.min !== undefined && value < config.min)
      return { ok: false, message: `The least allowed is ${config.min}.` };
    if (config.max !== undefined && value > config.max)
      return { ok: false, message: `The most allowed is ${config.max}.` };
  }
  return { ok: true, value };
}

function describeWidget(widget: Widget): string {
  switch (widget) {
    case 'number':
    case 'slider':
      return 'number';
    case 'multiselect':
      return 'list of choices';
    case 'date':
      return 'date (yyyy-mm-dd)';
    case 'daterange':
      return 'date range';
    case 'checkbox':
      return 'yes or no';
    default:
      return 'text or a choice';
  }
}

/** The value the input has now: its current value, else its default, else its widget's empty value. */
export function inputValue(config: InputConfig): WidgetValue | null {
  for (const candidate of [config.value, config.default]) {
    if (candidate === undefined || candidate === null) continue;
    const checked = checkValue(config, candidate);
    if (checked.ok) return checked.value;
  }
  return emptyValue(config.widget, config);
}

/** A value as people read it: in the assistant's context, the HTML report and lists. */
export function formatValue(value: WidgetValue | null): string {
  if (value === null) return '(empty)';
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : '(none chosen)';
  if (typeof value === 'object') return `${value.start} – ${value.end}`;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

const allNumbers = (values: readonly Option[]): values is number[] =>
  values.length > 0 && values.every((v) => typeof v === 'number');

/**
 * The value SQL binds for an input: typed for the parameter compiler (cells/sql/parameters.ts). A multi-select
 * that "empty means all" binds every choice it offers (`choices`) when nothing is chosen; a dropdown's and a
 * list's type follows its choices (numbers when all of them are), so `where year = {{year}}` compares numbers.
 */
export function boundValue(
  config: Pick<InputConfig, 'widget' | 'emptyMeansAll'>,
  value: WidgetValue | null,
  choices: readonly Option[] = []
): InputValue {
  switch (config.widget) {
    case 'number':
    case 'slider':
      return { type: 'number', value: typeof value === 'number' ? value : null };
    case 'checkbox':
      return { type: 'boolean', value: typeof value === 'boolean' ? value : null };
    case 'date':
      return { type: 'date', value: typeof value === 'string' ? value : null };
    case 'daterange': {
      const range = value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
      return { type: 'date_range', start: range?.start ?? null, end: range?.end ?? null };
    }
    case 'multiselect': {
      const chosen = Array.isArray(value) ? value : [];
      const list = chosen.length === 0 && config.emptyMeansAll ? choices : chosen;
      return allNumbers(list) || (list.length === 0 && allNumbers(choices))
        ? { type: 'number_list', value: list as number[] }
        : { type: 'text_list', value: list.map(String) };
    }
    case 'dropdown':
      if (typeof value === 'number') return { type: 'number', value };
      if (value === null && allNumbers(choices)) return { type: 'number', value: null };
      return { type: 'text', value: typeof value === 'string' ? value : null };
    default:
      return { type: 'text', value: typeof value === 'string' ? value : null };
  }
}

/** What text cells show for each input (cells/text/input-values.ts): its value as people read it, by lower-cased
 * name, and a date range's ends under "name.start" / "name.end". */
export function shownValues(
  inputs: readonly { name: string; value: WidgetValue | null }[]
): Map<string, string> {
  const out = new Map<string, string>();
  for (const { name, value } of inputs) {
    const key = name.toLowerCase();
    if (!name || out.has(key)) continue; // the first input of a name wins, as for SQL
    out.set(key, formatValue(value));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      out.set(`${key}.start`, value.start);
      out.set(`${key}.end`, value.end);
    }
  }
  return out;
}
