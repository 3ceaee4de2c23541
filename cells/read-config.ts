// Reading a cell's shared config map: any client can write to the document, so each key is checked on its own and
// a bad value reads as unset (its default) instead of discarding the whole config.
import type { z } from 'zod';

export function readKeyByKey<S extends z.ZodObject>(schema: S, raw: Record<string, unknown>): z.infer<S> {
  const clean: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    if (raw[key] === undefined) continue;
    const parsed = field.safeParse(raw[key]);
    if (parsed.success) clean[key] = parsed.data;
  }
  return schema.parse(clean);
}
