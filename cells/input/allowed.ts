// Whether a dashboard viewer's value is one the published input allows (issue 21): the widget's own check
// (checkValue: type, a number's bounds, a real day, a range that does not end before it starts), and beyond it
// a dropdown's or multi-select's published choices and a slider's steps. The server refuses anything else before
// a query runs; the dashboard page may use the same check on values read from its URL. Messages name the input
// as the viewer sees it (its label), so they can be shown as they are. Isomorphic and pure.
import type { PublishedInput } from '../interactive';
import type { Option } from './config';
import { checkValue, emptyValue, type WidgetValue } from './value';

export type AllowedCheck = { ok: true; value: WidgetValue | null } | { ok: false; message: string };

type Input = Pick<PublishedInput, 'name' | 'config' | 'choices'>;

/** The name a viewer knows the input by: its label, else its name. */
export const inputTitle = (input: Pick<PublishedInput, 'name' | 'config'>): string =>
  input.config.label.trim() || input.name;

/** Shown in a message: quoted text, a number as it is; long values cut. */
function shown(v: Option): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/** Whether `raw` is a value the published `input` allows; the checked value when it is. */
export function checkAllowed(input: Input, raw: unknown): AllowedCheck {
  const title = inputTitle(input);
  const refuse = (message: string): AllowedCheck => ({ ok: false, message: `${title}: ${message}` });
  // An input left empty binds SQL NULL, as the notebook does when nobody chose; only widgets that can be empty.
  if (raw === null)
    return emptyValue(input.config.widget, input.config) === null
      ? { ok: true, value: null }
      : refuse('a value is needed.');
  const checked = checkValue(input.config, raw);
  if (!checked.ok) return refuse(lowerFirst(checked.message));
  const value = checked.value;
  const { widget, min, step } = input.config;
  const offered = (v: Option) => input.choices.some((c) => c === v);
  if (widget === 'dropdown' && !offered(value as Option))
    return refuse(`${shown(value as Option)} is not one of the choices.`);
  if (widget === 'multiselect') {
    const list = value as Option[];
    const missing = list.find((v) => !offered(v));
    if (missing !== undefined) return refuse(`${shown(missing)} is not one of the choices.`);
    if (new Set(list).size !== list.length) return refuse('a choice is picked twice.');
  }
  if (widget === 'slider' && step !== undefined && typeof value === 'number') {
    const steps = (value - (min ?? 0)) / step;
    // Decimal steps (0.1) do not divide exactly in binary: allow rounding noise, not a value between steps.
    if (Math.abs(steps - Math.round(steps)) > 1e-6) return refuse(`the value moves in steps of ${step}.`);
  }
  return { ok: true, value };
}

const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s);
