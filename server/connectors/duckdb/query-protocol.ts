// What the server (query-child.ts, execute.ts) and a file-connection query's child process (query-process.ts)
// say to each other, checked on arrival, as frames (frames.ts). The server sends a `run`; the child says it
// started, then sends the result's batches one at a time, each sent only once the server asked for `more` (so a
// 10-million-row result is never held whole on either side), then `done` or `failed`, with whether it can take
// another `run` (on the same file) or exits.
import { z } from 'zod';
import type { QueryFailure } from '../query-error';

export const RequestSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('run'),
    /** As the connection names it (for messages), and resolved inside the server's data folder. */
    path: z.string(),
    file: z.string(),
    /** Without trailing semicolons, not empty. */
    text: z.string(),
    /** Values for the text's $1, $2… (cells/sql/parameters.ts). */
    params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).default([]),
    rowCap: z.number().int().positive()
  }),
  /** The server handed the last batch on: send the next. */
  z.object({ op: z.literal('more') }),
  /** Cancelled or out of time: interrupt DuckDB and send no more batches. */
  z.object({ op: z.literal('interrupt') })
]);
export type Request = z.infer<typeof RequestSchema>;

const REASONS = [
  'connect',
  'cancelled',
  'timeout',
  'read_only',
  'not_rows',
  'sql',
  'other'
] as const satisfies readonly QueryFailure[];

export const ReplySchema = z.union([
  /** Loaded and given the query: its time limit starts now, not while Node and DuckDB were starting. */
  z.object({ started: z.literal(true) }),
  /** The payload is one record batch, as an Arrow IPC stream of its own (schema and batch). */
  z.object({ batch: z.literal(true) }),
  z.object({
    done: z.object({ rows: z.number().int().nonnegative(), truncated: z.boolean() }),
    /** The child may run another query (reuse-checks.ts); when false, it exits. */
    keep: z.boolean()
  }),
  z.object({
    keep: z.boolean(),
    failed: z.object({
      /** Set when we raised the error ourselves; DuckDB's own errors are sorted out by the server. */
      reason: z.enum(REASONS).optional(),
      /** DuckDB said it ran out of memory (its limit, or the process's cap): the server says so plainly. */
      memory: z.boolean(),
      message: z.string()
    })
  })
]);
export type Reply = z.infer<typeof ReplySchema>;
