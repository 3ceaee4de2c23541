// The model's answer, checked before anything reaches the notebook: zod for the structure (cells/prompt/answer),
// then each cell against what exists (a chart's source and columns, a SQL cell's engine). Model output is data,
// never HTML.
import { AnswerCellSchema, type AnswerCell } from '../../cells/prompt/answer';

export { AnswerCellSchema, AnswerSchema, type AnswerCell } from '../../cells/prompt/answer';

/** What the answer may refer to: results by name (with their columns when known) and connection ids. */
export type Known = { results: Map<string, string[] | null>; engines: Set<string> };

export type Checked = { ok: true; cell: AnswerCell } | { ok: false; error: string };

/** Checks one cell of the answer; a valid SQL cell becomes known to the cells after it. */
export function checkCell(raw: unknown, known: Known): Checked {
  const parsed = AnswerCellSchema.safeParse(raw);
  if (!parsed.success) {
    const kind =
      typeof raw === 'object' && raw && 'kind' in raw ? String((raw as { kind: unknown }).kind) : '?';
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
    return {
      ok: false,
      error: ['sql', 'chart', 'text'].includes(kind)
        ? `a ${kind} cell that does not fit the expected shape${where}: ${issue?.message ?? 'invalid'}`
        : `a cell of unknown kind "${kind.slice(0, 40)}"`
    };
  }
  const cell = parsed.data;
  if (cell.kind === 'sql') {
    if (!known.engines.has(cell.engine))
      return { ok: false, error: `SQL for an unknown engine "${cell.engine}"` };
    known.results.set(cell.name, cell.columns.length ? cell.columns : null);
  }
  if (cell.kind === 'chart') {
    if (!known.results.has(cell.source))
      return { ok: false, error: `a chart of "${cell.source}", which is not a result in this notebook` };
    const columns = known.results.get(cell.source);
    for (const ch of ['x', 'y', 'color', 'size', 'column'] as const) {
      const field = cell[ch]?.field;
      if (field && columns && !columns.includes(field))
        return { ok: false, error: `a chart of ${cell.source} over a column it does not have: "${field}"` };
    }
  }
  if (cell.kind === 'text') return { ok: true, cell: { ...cell, markdown: withoutImages(cell.markdown) } };
  return { ok: true, cell };
}

/**
 * Images in model-written markdown become links: an image loads by itself whenever anyone opens the notebook, so a
 * model steered by text it read (a sample value, a cell) could send context to another server through its URL.
 */
export function withoutImages(markdown: string): string {
  return markdown.replace(/!\[([^\]]*)\]\(([^)]*)\)/g, '[$1]($2)').replace(/<img\b[^>]*>/gi, '');
}

/** A result name not yet taken (`taken` holds lower-case names): the model's choice, or it with _2, _3… */
export function freeName(name: string, taken: Set<string>): string {
  if (!taken.has(name.toLowerCase())) return name;
  const base = name.slice(0, 58); // room for a suffix within 63 characters
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`.toLowerCase())) return `${base}_${i}`;
}
