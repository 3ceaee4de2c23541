// Parses input with a zod schema, turning problems into one readable AppError with per-field messages.
import type { z } from 'zod';
import { invalid } from './errors';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) {
    const at = nulAt(r.data, []);
    // PostgreSQL's text cannot hold NUL: refused here with the field, rather than failing later as our error.
    if (at)
      throw invalid('This text contains a NUL character (byte 0), which Sheaf cannot store.', {
        [at]: 'Remove the NUL character.'
      });
    return r.data;
  }
  const fields: Record<string, string> = {};
  for (const issue of r.error.issues) {
    const key = issue.path.join('.') || 'form';
    fields[key] ??= issue.message;
  }
  const first = Object.values(fields)[0] ?? 'Please check the form.';
  throw invalid(first, fields);
}

/** FormData → plain object of its string fields (files are ignored). */
export function formFields(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of form) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The path of the first string holding NUL, if any (depth-bounded: inputs are parsed JSON or form fields). */
function nulAt(value: unknown, path: string[]): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') || 'form' : null;
  if (path.length > 32 || value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const found = nulAt(v, [...path, k]);
    if (found) return found;
  }
  return null;
}
