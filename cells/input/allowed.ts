// Whether a value is one a published dashboard's viewer may choose for an input (cells/interactive.ts): the
// widget's type and bounds (checkValue), and for dropdowns and multi-selects one of the choices resolved at
// publish. Viewers are untrusted and their values arrive in URLs, so everything is checked; the browser refuses
// a value here before anything runs, and the server refuses the same values for the cells it runs.
import type { PublishedInput } from '../interactive';
import { checkValue, type WidgetValue } from './value';

export type AllowedCheck = { ok: true; value: WidgetValue | null } | { ok: false; message: string };

const shown = (v: unknown) => (typeof v === 'string' ? `"${v.slice(0, 60)}"` : String(v));

/** `raw` checked for `input`; null (left empty) is always allowed, as it is in the notebook. */
export function allowedValue(input: Pick<PublishedInput, 'config' | 'choices'>, raw: unknown): AllowedCheck {
  if (raw === null) return { ok: true, value: null };
  const checked = checkValue(input.config, raw);
  if (!checked.ok) return checked;
  const { widget } = input.config;
  if (widget === 'dropdown' || widget === 'multiselect') {
    const values = Array.isArray(checked.value) ? checked.value : [checked.value];
    const foreign = values.find((v) => !input.choices.includes(v as string | number));
    if (foreign !== undefined) return { ok: false, message: `${shown(foreign)} is not one of the choices.` };
  }
  return checked;
}
