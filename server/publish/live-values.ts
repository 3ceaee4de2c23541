// A dashboard viewer's input values for a server re-run of a connection cell (issue 21): read from the request's
// `values` parameter, each checked against its published input (cells/input/allowed.ts), bound as the notebook
// binds them (boundValue), on top of the values as published. Inputs that are not on the dashboard cannot be set:
// they keep their published values. Also the canonical form of what a cell binds, the cache's key.
import { z } from 'zod';
import { checkAllowed } from '../../cells/input/allowed';
import { boundValue } from '../../cells/input/value';
import type { PublishedInput } from '../../cells/interactive';
import { INPUT_NAME, type InputValues } from '../../cells/sql/parameters';
import { invalid } from '../errors';

/** The URL parameter as JSON: input name → value. Its size is bounded by the request line (Node: 16 KB). */
const RequestedSchema = z
  .record(z.string().max(63), z.unknown())
  .refine((r) => Object.keys(r).length <= 200, 'At most 200 inputs.');

/** The `values` parameter as an object, or a 400 a person can read. Absent means "as published". */
export function parseValuesParam(param: string | null): Record<string, unknown> {
  if (param === null || param === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(param);
  } catch {
    throw invalid('The filter values are not readable (values must be a JSON object: input name → value).');
  }
  const parsed = RequestedSchema.safeParse(json);
  if (!parsed.success)
    throw invalid('The filter values are not readable (values must be a JSON object: input name → value).');
  return parsed.data;
}

/**
 * The values a cell binds for this viewer: `published` (every input of the frozen notebook, as published), with
 * each requested input of the dashboard replaced by the viewer's value once it is allowed. A value not allowed,
 * or for an input the dashboard does not offer, is refused with a 400 naming the input.
 */
export function viewerValues(
  inputs: readonly PublishedInput[],
  published: InputValues,
  requested: Record<string, unknown>
): InputValues {
  const byName = new Map(inputs.map((i) => [i.name.toLowerCase(), i]));
  const boundNames = new Map(Object.keys(published).map((k) => [k.toLowerCase(), k]));
  const out: InputValues = { ...published };
  for (const [name, raw] of Object.entries(requested)) {
    const input = INPUT_NAME.test(name) ? byName.get(name.toLowerCase()) : undefined;
    if (!input)
      throw invalid(`This dashboard has no filter named ${JSON.stringify(name.slice(0, 63))} to change.`);
    const checked = checkAllowed(input, raw);
    if (!checked.ok) throw invalid(checked.message, { [input.name]: checked.message });
    const key = boundNames.get(input.name.toLowerCase());
    // An input on the dashboard that no query of the notebook binds: nothing to replace.
    if (key === undefined) continue;
    out[key] = boundValue(input.config, checked.value, input.choices);
  }
  return out;
}

/** What a cell binds, canonically: only the inputs its SQL references, by lower-cased name, in name order. */
export function boundKey(values: InputValues, referenced: readonly string[]): string {
  const byName = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
  const names = [...new Set(referenced.map((n) => n.toLowerCase()))].sort();
  return JSON.stringify(names.map((n) => [n, canonical(byName.get(n) ?? null)]));
}

/** Object keys in a fixed order, so equal values give equal keys however they were built. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])])
    );
  return v;
}
