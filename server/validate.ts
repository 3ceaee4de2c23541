// Parses input with a zod schema, turning problems into one readable AppError with per-field messages.
import type { z } from 'zod';
import { invalid } from './errors';

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
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
