// What the server and the conversion child (convert-process.ts) say to each other, checked on both sides.
import { z } from 'zod';
import { FORMATS } from './names';

export const ConvertJobSchema = z.object({
  format: z.enum(FORMATS),
  src: z.string(),
  parquet: z.string(),
  browserCopy: z.string(),
  workDir: z.string(),
  maxRows: z.number().int().positive(),
  maxUncompressedBytes: z.number().int().positive(),
  duckdbMemoryMb: z.number().int().positive()
});
export type ConvertJob = z.infer<typeof ConvertJobSchema>;

const ColumnSchema = z.object({ name: z.string(), type: z.string() });

export const ConvertReplySchema = z.union([
  z.object({
    ok: z.object({ rows: z.number(), columns: z.array(ColumnSchema), parquetBytes: z.number() })
  }),
  z.object({
    error: z.object({
      code: z.enum(['invalid', 'too_large', 'unavailable']).catch('unavailable'),
      message: z.string()
    }),
    /** For the server's log when the failure was ours, not the file's. */
    detail: z.string().optional()
  })
]);
export type ConvertReply = z.infer<typeof ConvertReplySchema>;
