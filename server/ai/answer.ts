// The model's answer, checked before anything reaches the notebook: zod for the structure (cells/prompt/answer),
// then each cell against what exists, by its kind's cells/<kind>/assistant.ts (a chart's source and columns, a SQL
// cell's engine). Model output is data, never HTML.
import type { Checked, Known } from '../../cells/assistant-output';
import { AnswerCellSchema, answerOutput, isAnswerKind, type AnswerCell } from '../../cells/prompt/answer';

export { AnswerCellSchema, AnswerSchema, type AnswerCell } from '../../cells/prompt/answer';
export type { Checked, Known } from '../../cells/assistant-output';

/**
 * Checks one cell of the answer. It first reads results renamed earlier in the answer (the model's name → the name
 * given) under their new names; a result it makes becomes known to the cells after it.
 */
export function checkCell(
  raw: unknown,
  known: Known,
  renamed: ReadonlyMap<string, string> = new Map()
): Checked<AnswerCell> {
  const parsed = AnswerCellSchema.safeParse(raw);
  if (!parsed.success) {
    const kind =
      typeof raw === 'object' && raw && 'kind' in raw ? String((raw as { kind: unknown }).kind) : '?';
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    return {
      ok: false,
      error: isAnswerKind(kind)
        ? `a ${kind} cell that does not fit the expected shape${where}: ${issue?.message ?? 'invalid'}`
        : `a cell of unknown kind "${kind.slice(0, 40)}"`
    };
  }
  const output = answerOutput(parsed.data.kind);
  const cell = output.followRenames ? output.followRenames(parsed.data, renamed) : parsed.data;
  return output.check(cell, known);
}

/** A result name not yet taken (`taken` holds lower-case names): the model's choice, or it with _2, _3… */
export function freeName(name: string, taken: Set<string>): string {
  if (!taken.has(name.toLowerCase())) return name;
  const base = name.slice(0, 58); // room for a suffix within 63 characters
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`.toLowerCase())) return `${base}_${i}`;
}
