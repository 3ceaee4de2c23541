// Where in the user's query a DuckDB error points. DuckDB quotes the line ("LINE 2: select …") and puts a caret
// under the spot. When the query ran inside a wrapper (`wrapperLines` before it), line numbers are shifted back to
// the user's text; the notebook runs queries as written.

export type ErrorPosition = {
  /** Offset into the user's query. */
  offset: number;
  /** The message with line numbers of the user's query. */
  message: string;
};

const LINE = /LINE (\d+): (.*)\n( *)\^/;

export function errorPosition(message: string, query: string, wrapperLines = 0): ErrorPosition | null {
  const m = LINE.exec(message);
  if (!m) return null;
  const line = Number(m[1]) - wrapperLines;
  const lines = query.split('\n');
  if (line < 1 || line > lines.length) return null;
  const prefix = `LINE ${m[1]}: `.length;
  let snippet = m[2]!;
  let caret = m[3]!.length - prefix;
  // Long lines are shown as a window, marked with "..." at the cut.
  if (snippet.startsWith('...')) {
    snippet = snippet.slice(3);
    caret -= 3;
  }
  snippet = snippet.replace(/\.\.\.$/, '');
  const text = lines[line - 1]!;
  const start = text.indexOf(snippet);
  if (start < 0 || caret < 0) return null;
  const column = Math.min(start + caret, text.length);
  let offset = column;
  for (let i = 0; i < line - 1; i++) offset += lines[i]!.length + 1;
  const renumbered = message.replace(
    LINE,
    (_all, n: string, shown: string, spaces: string) =>
      `LINE ${line}: ${shown}\n${' '.repeat(spaces.length - n.length + String(line).length)}^`
  );
  return { offset, message: renumbered };
}
