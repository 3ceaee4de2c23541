// Which SQL cells are stale: their SQL or where they run changed since they ran, or an upstream cell they read has a newer run
// than the one they read (or is stale itself), or an input it binds ({{name}}) holds another value than the one
// it ran with. Upstream = earlier SQL cells whose names the query mentions, and the inputs it references.
import { inputReferences, mentioned } from './references';
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

/** An input cell's value as runs record it: `v:<hash of the bound value>` under the input's name. */
export type InputState = { name: string; hash: string };
/** The notebook's inputs by lower-cased name. */
export type InputStates = ReadonlyMap<string, InputState>;

/** What a run records for an input it bound: a short hash, so records stay small and values stay out of them. */
export const inputMark = (hash: string): string => `v:${hash}`;

/** The inputs `sql` references that the notebook has. */
export function inputsOf(sql: string, inputs: InputStates): InputState[] {
  if (inputs.size === 0 || !sql.includes('{{')) return [];
  const out: InputState[] = [];
  for (const name of inputReferences(sql)) {
    const input = inputs.get(name.toLowerCase());
    if (input && !out.includes(input)) out.push(input);
  }
  return out;
}

/** The earlier cells `cell` reads, by name. */
export function upstreamOf(cells: SqlCellState[], index: number): SqlCellState[] {
  const earlier = cells.slice(0, index).filter((c) => c.name);
  const names = mentioned(
    cells[index]!.sql,
    earlier.map((c) => c.name)
  );
  return earlier.filter((c) => names.includes(c.name));
}

export function staleCells(cells: SqlCellState[], inputs: InputStates = new Map()): Staleness {
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
    for (const input of inputsOf(cell.sql, inputs)) {
      if (run.inputs?.[input.name] !== inputMark(input.hash)) {
        stale.set(cell.id, `${input.name} changed since this ran.`);
        return;
      }
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

/**
 * The cells to run again after an input changed, in notebook order: those that bind an input whose value is not
 * the one they ran with (or whose last run failed), and the stale cells that read them.
 */
export function affectedByInputs(cells: SqlCellState[], inputs: InputStates): string[] {
  const stale = staleCells(cells, inputs);
  const out = new Set<string>();
  cells.forEach((cell, i) => {
    const direct =
      inputsOf(cell.sql, inputs).length > 0 &&
      (cell.run?.status === 'error' || (stale.has(cell.id) && directlyStale(cell, inputs)));
    const through = stale.has(cell.id) && upstreamOf(cells, i).some((up) => out.has(up.id));
    if (direct || through) out.add(cell.id);
  });
  return [...out];
}

function directlyStale(cell: SqlCellState, inputs: InputStates): boolean {
  return inputsOf(cell.sql, inputs).some((input) => cell.run?.inputs?.[input.name] !== inputMark(input.hash));
}
