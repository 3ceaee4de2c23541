// Which SQL cells are stale: their SQL or where they run changed since they ran, or an upstream cell they read has a newer run
// than the one they read (or is stale itself). Upstream = earlier SQL cells whose names the query mentions.
import { mentioned } from './references';
import { hashSource, type RunRecord } from './run-record';

export type SqlCellState = {
  id: string;
  name: string;
  sql: string;
  run: RunRecord | null;
  /** Where it runs now: 'local' or a connection id. */
  engine?: string;
};
export type Staleness = Map<string, string>; // cell id → why it is stale

/** The earlier cells `cell` reads, by name. */
export function upstreamOf(cells: SqlCellState[], index: number): SqlCellState[] {
  const earlier = cells.slice(0, index).filter((c) => c.name);
  const names = mentioned(
    cells[index]!.sql,
    earlier.map((c) => c.name)
  );
  return earlier.filter((c) => names.includes(c.name));
}

export function staleCells(cells: SqlCellState[]): Staleness {
  const stale: Staleness = new Map();
  cells.forEach((cell, i) => {
    const run = cell.run;
    if (!run || run.status !== 'done') return; // never run or failed: nothing to be stale about
    if (run.sourceHash && run.sourceHash !== hashSource(cell.sql)) {
      stale.set(cell.id, 'The SQL changed since this ran.');
      return;
    }
    if (run.engine && cell.engine && run.engine !== cell.engine) {
      stale.set(cell.id, 'It runs somewhere else now.');
      return;
    }
    for (const up of upstreamOf(cells, i)) {
      if (stale.has(up.id)) {
        stale.set(cell.id, `It reads ${up.name}, which is stale.`);
        return;
      }
      const read = run.inputs?.[up.name];
      const current = up.run?.status === 'done' ? up.run.runId : undefined;
      if (current && read !== current) {
        stale.set(cell.id, `${up.name} ran again since this ran.`);
        return;
      }
    }
  });
  return stale;
}
