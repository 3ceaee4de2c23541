// Which SQL cells to run when an editor opens a notebook: those a chart needs that nobody has ever run (a fork of
// a dashboard or a template arrives without results), with the never-run local cells they read, in notebook
// order. Cells on a connection are left to people (they cost a database something); cells that ran before,
// even with an error, are too: opening a notebook should not redo anyone's work.
import { upstreamOf, type SqlCellState } from './staleness';

export function cellsToRunOnOpen(cells: SqlCellState[], chartSources: string[]): string[] {
  const wanted = new Set<number>();
  const need = (i: number) => {
    const c = cells[i]!;
    if (wanted.has(i) || c.run || (c.engine ?? 'local') !== 'local' || !c.sql.trim()) return;
    wanted.add(i);
    for (const up of upstreamOf(cells, i)) need(cells.indexOf(up));
  };
  for (const name of chartSources) {
    const i = cells.findIndex((c) => c.name && c.name.toLowerCase() === name.toLowerCase());
    if (i >= 0) need(i);
  }
  return [...wanted].sort((a, b) => a - b).map((i) => cells[i]!.id);
}
