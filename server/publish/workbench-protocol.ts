// What the server (workbench.ts) and the workbench child (workbench-process.ts) say to each other, checked on
// both sides. Each message is a frame (connectors/duckdb/frames.ts): a JSON header, then payload bytes (Arrow
// IPC) where a table travels.
import { z } from 'zod';
import { ANSWER_FILE } from '../../cells/interactive';

/** Values bound to a statement's `$1, $2…` (cells/sql/parameters.ts compiles `{{name}}` to them). */
export const ParamsSchema = z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).max(10_000);

export const RequestSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('open'),
    files: z.array(z.object({ tableName: z.string(), path: z.string() })),
    timeoutS: z.number().positive()
  }),
  z.object({ op: z.literal('runInto'), name: z.string(), sql: z.string(), params: ParamsSchema.default([]) }),
  /** The payload is the table as an Arrow IPC stream. */
  z.object({ op: z.literal('load'), name: z.string() }),
  /** The reply's payload is the result as an Arrow IPC stream. */
  z.object({ op: z.literal('query'), sql: z.string() }),
  /** The reply's `data`: the tables and views with their columns. */
  z.object({ op: z.literal('tableColumns') }),
  /** Writes a base table (table-export.ts); `file` is a bare name inside `dir`. The reply's `data`: rows, columns. */
  z.object({
    op: z.literal('exportParquet'),
    name: z.string(),
    columns: z.array(z.string()).min(1),
    dir: z.string(),
    file: z.string().regex(/^table-\d{1,4}\.parquet$/)
  }),
  /** The reply's `data`: null when the cells bind over the tables, else the message. */
  z.object({
    op: z.literal('checkReplay'),
    tables: z.array(z.object({ tableName: z.string(), path: z.string() })),
    cells: z.array(z.object({ name: z.string(), sql: z.string(), params: ParamsSchema })),
    standIns: z
      .array(
        z.object({ name: z.string(), columns: z.array(z.object({ name: z.string(), type: z.string() })) })
      )
      .default([])
  }),
  /** Precomputed answers (answers-run.ts); `file`s are bare names inside `dir`. The reply's `data`: those written,
   * with their parts. */
  z.object({
    op: z.literal('precompute'),
    tables: z.array(z.object({ tableName: z.string(), path: z.string() })),
    groups: z
      .array(
        z.object({
          cells: z.array(z.object({ name: z.string(), sql: z.string(), keep: z.boolean() })),
          choices: z.array(z.object({ file: z.string().regex(ANSWER_FILE), params: z.array(ParamsSchema) }))
        })
      )
      .max(1000),
    dir: z.string(),
    limits: z.object({
      maxRows: z.number().int().positive(),
      maxBytes: z.number().int().positive(),
      budgetBytes: z.number().int().positive(),
      budgetMs: z.number().positive()
    })
  })
]);
export type Request = z.infer<typeof RequestSchema>;

export const ReplySchema = z.union([
  /** `data`: an op's answer when it is not a table (see the ops above). */
  z.object({ ok: z.literal(true), data: z.unknown().optional() }),
  /** `memory`: DuckDB ran out of memory, said in our words by the server; otherwise `error` is for people. */
  z.object({ error: z.string(), memory: z.boolean() })
]);
export type Reply = z.infer<typeof ReplySchema>;
