// What the model is told about the notebook: the tables it may query (uploaded files, connected databases, earlier
// results) with columns, types and a few sample values, the cells so far, and the title — within a token budget.
// Tables the request is most likely about come first: those it names, whose columns it names, that earlier cells
// read. What does not fit is listed by name, or counted.

export type ColumnInfo = { name: string; type: string; samples?: string[] };
export type TableInfo = {
  name: string;
  /** Where it lives; `engine` is what a SQL cell reading it must run on ('local' or a connection id). */
  where: string;
  engine: string;
  rows?: number;
  columns: ColumnInfo[];
};
/** A cell as the assistant is told about it: its kind's own description (`describe` in cells/<kind>/kind.ts). */
export type CellInfo = { text: string };

export type ContextInput = { title: string; prompt: string; tables: TableInfo[]; cells: CellInfo[] };
export type Context = { text: string; described: string[]; listed: string[]; omitted: number };

/** A rough count that errs high: about four characters a token for English and SQL. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 3.5);

const MAX_CELLS = 30;

const words = (text: string): Set<string> =>
  new Set(
    text
      .toLowerCase()
      .split(/[^a-z0-9_]+/)
      .filter((w) => w.length >= 3)
      .flatMap((w) => (w.endsWith('s') ? [w, w.slice(0, -1)] : [w]))
  );

function relevance(t: TableInfo, asked: Set<string>, readByCells: Set<string>): number {
  const name = t.name.toLowerCase();
  let score = 0;
  for (const w of asked) if (name === w || name.split(/[._]/).includes(w)) score += 10;
  for (const c of t.columns) {
    const col = c.name.toLowerCase();
    if (asked.has(col) || col.split('_').some((p) => p.length >= 3 && asked.has(p))) score += 2;
  }
  if (readByCells.has(name)) score += 5;
  return score;
}

function describeTable(t: TableInfo, maxColumns: number): string {
  const head = `Table ${t.name} (${t.where}${t.rows !== undefined ? `, ${t.rows.toLocaleString('en-US')} rows` : ''}; engine "${t.engine}")`;
  const cols = t.columns.slice(0, maxColumns).map((c) => {
    const e = c.samples?.length ? `  e.g. ${c.samples.map((s) => s.slice(0, 40)).join(', ')}` : '';
    return `  ${c.name} ${c.type}${e}`;
  });
  const more = t.columns.length > maxColumns ? [`  … ${t.columns.length - maxColumns} more columns`] : [];
  return [head, ...cols, ...more].join('\n');
}

const describeCell = (c: CellInfo, i: number): string => `[${i + 1}] ${c.text}`;

export function buildContext(input: ContextInput, budgetTokens = 6000): Context {
  const parts: string[] = [`Notebook title: ${input.title || '(untitled)'}`];
  // The cells get at most 40% of the budget, the latest (nearest the request) first, so tables keep room.
  let cells = input.cells.slice(-MAX_CELLS);
  const cellBudget = budgetTokens * 0.4;
  const cellText = (cs: CellInfo[]) =>
    cs.map((c, i) => describeCell(c, input.cells.length - cs.length + i)).join('\n');
  while (cells.length > 0 && estimateTokens(cellText(cells)) > cellBudget) cells = cells.slice(1);
  const dropped = input.cells.length - cells.length;
  parts.push(
    cells.length
      ? `Cells so far (top to bottom${dropped ? `, the first ${dropped} left out` : ''}):\n${cellText(cells)}`
      : input.cells.length
        ? `The notebook has ${input.cells.length} cells above this request (too long to include).`
        : 'The notebook has no cells yet.'
  );
  // Headers, separators and rounding of the pieces below.
  const RESERVE = 40;
  let used = estimateTokens(parts.join('\n\n')) + RESERVE;
  const asked = words(input.prompt);
  // Tables the cells name (in their SQL, or a chart's source) rank first.
  const readByCells = words(cells.map((c) => c.text).join(' '));
  const ranked = input.tables
    .map((t, i) => ({ t, i, score: relevance(t, asked, readByCells) }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((r) => r.t);
  const described: string[] = [];
  const tableTexts: string[] = [];
  let rest = ranked;
  for (const [k, t] of ranked.entries()) {
    // Try the whole table, then fewer columns, before giving up on describing it.
    let text = '';
    for (const maxColumns of [t.columns.length, 40, 15, 5]) {
      const candidate = describeTable(t, maxColumns);
      if (used + estimateTokens(candidate) <= budgetTokens) {
        text = candidate;
        break;
      }
    }
    if (!text) {
      rest = ranked.slice(k);
      break;
    }
    used += estimateTokens(text);
    tableTexts.push(text);
    described.push(t.name);
    rest = ranked.slice(k + 1);
  }
  const listed: string[] = [];
  for (const t of rest) {
    const cost = estimateTokens(`${t.name}, `);
    if (used + cost > budgetTokens) break;
    used += cost;
    listed.push(t.name);
  }
  const omitted = rest.length - listed.length;
  parts.push(
    tableTexts.length
      ? `Tables you can query:\n${tableTexts.join('\n')}`
      : rest.length
        ? 'Tables you can query (too many to describe):'
        : 'There are no tables to query yet.'
  );
  if (listed.length || omitted)
    parts.push(
      `Also available, not described here for space: ${listed.join(', ')}${omitted ? ` and ${omitted} more` : ''}.`
    );
  return { text: parts.join('\n\n'), described, listed, omitted };
}
