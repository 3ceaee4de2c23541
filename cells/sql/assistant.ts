// A SQL cell in an assistant's answer: a named query on a known engine. Its result is known to the answer's later
// cells, under the name the notebook gives it.
import { z } from 'zod';
import type { AssistantOutput } from '../assistant-output';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const SqlAnswerSchema = z.object({
  kind: z.literal('sql'),
  name: z.string().regex(IDENT).max(63),
  /** 'local' (DuckDB in the browser) or a connection id from the context. */
  engine: z.string().max(64).default('local'),
  sql: z.string().min(1).max(20_000),
  /** The columns the query returns, so charts in the same answer can be checked. */
  columns: z.array(z.string().max(300)).max(300).default([])
});
export type SqlAnswer = z.infer<typeof SqlAnswerSchema>;

export const sqlAnswer = {
  schema: SqlAnswerSchema,
  check: (cell, known) => {
    if (!known.engines.has(cell.engine))
      return { ok: false, error: `SQL for an unknown engine "${cell.engine}"` };
    known.results.set(cell.name, cell.columns.length ? cell.columns : null);
    return { ok: true, cell };
  },
  toNewCell: (cell) => ({ kind: 'sql', name: cell.name, source: cell.sql, config: { engine: cell.engine } }),
  result: { name: (cell) => cell.name, rename: (cell, name) => ({ ...cell, name }) },
  followRenames: (cell, renamed) => ({ ...cell, sql: rewriteNames(cell.sql, renamed) })
} satisfies AssistantOutput<SqlAnswer>;

/** Whole-word, case-insensitive: a later query of the same answer that reads a renamed result. */
function rewriteNames(sql: string, renamed: ReadonlyMap<string, string>): string {
  let out = sql;
  for (const [from, to] of renamed) out = out.replace(new RegExp(`(?<![\\w."])${from}(?![\\w"])`, 'gi'), to);
  return out;
}
