// What a SQL cell's shared `run` map holds: written by whoever ran it, read by everyone (zod-checked, since any
// client can write to the document).
import { z } from 'zod';
import type * as Y from 'yjs';

/** Stored results above this are a preview: the browser uploads the first rows that fit, and says so. */
export const RESULT_LIMIT_BYTES = 50 * 1024 ** 2;

export const RunRecordSchema = z.object({
  status: z.enum(['running', 'done', 'error', 'cancelled']),
  by: z.string().optional(),
  at: z.string().optional(),
  /** A new id per successful run: stored results and downstream cells refer to it. */
  runId: z.string().optional(),
  rows: z.number().int().nonnegative().optional(),
  columns: z.array(z.object({ name: z.string(), type: z.string() })).optional(),
  ms: z.number().nonnegative().optional(),
  error: z.string().nullable().optional(),
  /** Hash of the SQL that produced this run. */
  sourceHash: z.string().optional(),
  /** Run ids of the upstream results this run read, by name. */
  inputs: z.record(z.string(), z.string()).optional(),
  /** Whether the result is on the server for others: all of it, a preview, or not (yet). */
  stored: z.enum(['uploading', 'full', 'preview', 'failed']).optional(),
  storedRows: z.number().int().nonnegative().optional(),
  /** Where it ran: 'local' (DuckDB in the browser) or a connection id. */
  engine: z.string().optional(),
  /** The connection's row cap, when the result was cut at it. */
  truncatedAt: z.number().int().nonnegative().optional()
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export function readRun(run: Y.Map<unknown>): RunRecord | null {
  const parsed = RunRecordSchema.safeParse(run.toJSON());
  return parsed.success ? parsed.data : null;
}

/** FNV-1a of the SQL: enough to notice that a query changed since it ran. */
export function hashSource(sql: string): string {
  let h = 0x811c9dc5;
  const text = sql.trim();
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
