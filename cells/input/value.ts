// An input's value, typed by its widget. Values arrive from the shared document (any client can write it) and
// from people typing, so each is checked against the widget; a wrong one is refused with a message that says why.
import { z } from 'zod';
import type { InputConfig, Widget } from './config';
import { OptionSchema } from './config';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DateSchema = z
  .string()
  .regex(ISO_DATE, 'A date is written yyyy-mm-dd.')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    {
      message: 'That day does not exist.'
    }
  );

export const DateRangeSchema = z
  .object({ start: DateSchema, end: DateSchema })
  .refine((r) => r.start <= r.end, { message: 'The range ends before it starts.' });

const VALUE_SCHEMAS = {
  text: z.string().max(10_000),
  number: z.number().finite(),
  slider: z.number().finite(),
  dropdown: OptionSchema,
  multiselect: z.array(OptionSchema).max(1000),
  date: DateSchema,
  daterange: DateRangeSchema,
  checkbox: z.boolean()
} satisfies Record<Widget, z.ZodType>;

export type InputValue = string | number | boolean | Array<string | number> | { start: string; end: string };

/** What a widget holds before anyone chose: nothing, except the widgets that always show a value. */
export function emptyValue(widget: Widget, config: Pick<InputConfig, 'min'>): InputValue | null {
  if (widget === 'checkbox') return false;
  if (widget === 'multiselect') return [];
  if (widget === 'slider') return config.min ?? 0;
  return null;
}

export type ValueCheck = { ok: true; value: InputValue } | { ok: false; message: string };

/** Checks a value for a widget, including a number's bounds. */
export function checkValue(config: Pick<InputConfig, 'widget' | 'min' | 'max'>, raw: unknown): ValueCheck {
  const parsed = VALUE_SCHEMAS[config.widget].safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const custom = issue?.code === 'custom' || issue?.code === 'invalid_format' ? issue.message : null;
    return { ok: false, message: custom ?? `Not a ${describeWidget(config.widget)}.` };
  }
  const value = parsed.data as InputValue;
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
export function inputValue(config: InputConfig): InputValue | null {
  for (const candidate of [config.value, config.default]) {
    if (candidate === undefined || candidate === null) continue;
    const checked = checkValue(config, candidate);
    if (checked.ok) return checked.value;
  }
  return emptyValue(config.widget, config);
}

/** A value as people read it: in the assistant's context, the HTML report and lists. */
export function formatValue(value: InputValue | null): string {
  if (value === null) return '(empty)';
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : '(none chosen)';
  if (typeof value === 'object') return `${value.start} – ${value.end}`;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}
