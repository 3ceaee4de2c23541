// Long runs of unchanged lines in a diff folded to the few lines around each change, as diff tools show them: a
// one-line change in a 200-line query should not take 200 lines of screen.
import type { DiffLine } from '$cells/line-diff';

/** Unchanged lines kept on each side of a change. */
export const CONTEXT = 2;

export type DiffRow = { line: DiffLine } | { folded: number };

export function foldUnchanged(lines: readonly DiffLine[], context = CONTEXT): DiffRow[] {
  const near = lines.map(() => false);
  lines.forEach((l, i) => {
    if (l.op === 'same') return;
    const end = Math.min(lines.length - 1, i + context);
    for (let j = Math.max(0, i - context); j <= end; j++) near[j] = true;
  });
  const rows: DiffRow[] = [];
  let run: DiffLine[] = [];
  // A fold of one line takes as much room as the line: show it instead.
  const flush = () => {
    if (run.length === 1) rows.push({ line: run[0]! });
    else if (run.length > 1) rows.push({ folded: run.length });
    run = [];
  };
  lines.forEach((line, i) => {
    if (line.op === 'same' && !near[i]) run.push(line);
    else {
      flush();
      rows.push({ line });
    }
  });
  flush();
  return rows;
}
