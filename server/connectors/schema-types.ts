// The shape of a connected database's schema, as cached and as sent to the schema browser and autocomplete.
import { z } from 'zod';

export const DatabaseSchemaSchema = z.object({
  tables: z.array(
    z.object({
      schema: z.string(),
      name: z.string(),
      view: z.boolean(),
      columns: z.array(z.object({ name: z.string(), type: z.string() }))
    })
  ),
  truncated: z.boolean(),
  /** The schema whose tables may be named without qualification (public, or a MySQL connection's database). */
  defaultSchema: z.string().optional()
});
export type DatabaseSchema = z.infer<typeof DatabaseSchemaSchema>;
