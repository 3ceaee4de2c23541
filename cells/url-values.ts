// A viewer's filter values in the dashboard's URL, so that a link or a reload shows the same view. Only values
// that differ from an input's initial one are written; a parameter is the input's name, as SQL names it:
//   text, number, slider, date     ?name=value            (empty: ?name=)
//   dropdown                       ?region=West           (a choice, as written)
//   multi-select                   ?region=West&region=East, once per choice (none chosen: ?region=)
//   date range                     ?period=2024-01-01..2024-03-31   (cleared: ?period=)
//   checkbox                       ?flag=true / ?flag=false
// A value read from a URL is checked like any a viewer picks (cells/input/allowed.ts): one that is not allowed is
// refused with the reason, and the initial value is used. Parameters of no input are left alone.
// Shared by the dashboard page in the browser (src/lib/dashboard/) and the server's first paint of it
// (server/publish/first-paint.ts), so that both read a link the same way.
import { checkAllowed, inputTitle } from './input/allowed';
import type { WidgetValue } from './input/value';
import type { PublishedInput } from './interactive';

export type Values = Record<string, WidgetValue | null>;

/** The values the URL asks for (every input has one) and, by input name, why a URL value was refused. */
export type UrlValues = { values: Values; refused: Record<string, string> };

/** Two values are the same choice (a multi-select's order matters, as it does for what SQL binds). */
export const sameValue = (a: WidgetValue | null, b: WidgetValue | null): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The initial values, by input name. */
export function initialValues(inputs: readonly PublishedInput[]): Values {
  return Object.fromEntries(inputs.map((i) => [i.name, initialOf(i)]));
}

/** An input's initial value; one the publisher's settings would no longer allow reads as empty. */
function initialOf(input: PublishedInput): WidgetValue | null {
  const checked = checkAllowed(input, input.initial ?? null);
  return checked.ok ? checked.value : null;
}

/** What the URL's parameter(s) for `input` stand for, before the allowed check; a string is a refusal. */
function parse(input: PublishedInput, params: string[]): { raw: unknown } | string {
  const first = params[0] ?? '';
  const { widget } = input.config;
  if (widget === 'multiselect') {
    if (params.length === 1 && first === '') return { raw: [] };
    const out: unknown[] = [];
    for (const p of params) {
      const choice = input.choices.find((c) => String(c) === p);
      if (choice === undefined) return `"${p.slice(0, 60)}" is not one of the choices.`;
      out.push(choice);
    }
    return { raw: out };
  }
  if (widget === 'text') return { raw: first };
  if (first === '') return { raw: null };
  switch (widget) {
    case 'number':
    case 'slider': {
      const n = Number(first);
      return Number.isFinite(n) ? { raw: n } : `"${first.slice(0, 60)}" is not a number.`;
    }
    case 'dropdown': {
      const choice = input.choices.find((c) => String(c) === first);
      return choice === undefined ? `"${first.slice(0, 60)}" is not one of the choices.` : { raw: choice };
    }
    case 'daterange': {
      const [start, end, ...rest] = first.split('..');
      return start && end && !rest.length
        ? { raw: { start, end } }
        : 'a date range is written start..end, as in 2024-01-01..2024-03-31.';
    }
    case 'checkbox':
      return first === 'true' || first === 'false'
        ? { raw: first === 'true' }
        : 'a checkbox is written true or false.';
    default:
      return { raw: first };
  }
}

/** The values `params` asks for: each input's own, else its initial value. */
export function readUrl(inputs: readonly PublishedInput[], params: URLSearchParams): UrlValues {
  const values = initialValues(inputs);
  const refused: Record<string, string> = {};
  for (const input of inputs) {
    const given = params.getAll(input.name);
    if (!given.length) continue;
    const parsed = parse(input, given);
    const checked = typeof parsed === 'string' ? null : checkAllowed(input, parsed.raw);
    if (checked?.ok) values[input.name] = checked.value;
    else {
      const why =
        typeof parsed === 'string'
          ? `${inputTitle(input)}: ${parsed}`
          : (checked as { message: string }).message;
      refused[input.name] = `${why} Showing the dashboard’s own value instead.`;
    }
  }
  return { values, refused };
}

/** How `value` is written in the URL: one string per parameter. */
export function encodeValue(input: PublishedInput, value: WidgetValue | null): string[] {
  if (value === null) return [''];
  if (Array.isArray(value)) return value.length ? value.map(String) : [''];
  if (typeof value === 'object') return [`${value.start}..${value.end}`];
  return [String(value)];
}

/**
 * `url`'s search with the inputs' parameters rewritten: a value that differs from the initial one is written,
 * the others removed. Other parameters stay as they were.
 */
export function writeUrl(inputs: readonly PublishedInput[], values: Values, url: URL): URL {
  const next = new URL(url);
  const initial = initialValues(inputs);
  for (const input of inputs) {
    next.searchParams.delete(input.name);
    const value = values[input.name] ?? null;
    if (sameValue(value, initial[input.name] ?? null)) continue;
    for (const p of encodeValue(input, value)) next.searchParams.append(input.name, p);
  }
  return next;
}
