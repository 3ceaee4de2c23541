// Child-side (workbench-engine.ts) work for precomputed answers (precompute.ts): each group's cells run in order,
// once per choice with that choice's values bound, in a fresh engine over the written base tables, and the
// results marked for keeping written into the choice's file in the snapshot's folder as Arrow IPC streams, within
// the limits. A choice whose SQL fails keeps what ran before the failure (the browser computes the rest, and says
// what went wrong there); the others go on.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { ident } from '../../cells/sql/quote';
import type { BoundValue } from '../../cells/sql/parameters';
import type { Workbench } from './workbench-engine';

/**
 * Cells that follow the same dropdowns, in notebook order (with the cells they read), and each choice: its file
 * and, per cell, the values bound to its `$1, $2…` (the SQL is the same for every choice).
 */
export type AnswerGroup = {
  cells: { name: string; sql: string; keep: boolean }[];
  choices: { file: string; params: BoundValue[][] }[];
};
export type AnswerLimits = { maxRows: number; maxBytes: number; budgetBytes: number; budgetMs: number };
/** A file written: the results it holds, in order (lower-cased cell names, bytes of each IPC stream). */
export type AnswerFile = { file: string; parts: { cell: string; bytes: number }[] };

type Engine = Pick<Workbench, 'runInto' | 'query'>;

export async function runAnswers(
  engine: Engine,
  groups: AnswerGroup[],
  dir: string,
  limits: AnswerLimits
): Promise<AnswerFile[]> {
  const deadline = performance.now() + limits.budgetMs;
  const late = () => performance.now() > deadline;
  const written: AnswerFile[] = [];
  let bytes = 0;
  for (const group of groups)
    for (const choice of group.choices) {
      if (late() || bytes >= limits.budgetBytes) return written;
      const parts: { cell: string; ipc: Uint8Array }[] = [];
      try {
        for (const [i, cell] of group.cells.entries()) {
          if (late()) break;
          await engine.runInto(cell.name, cell.sql, choice.params[i] ?? []);
          if (!cell.keep || late()) continue;
          const table = await engine.query(`select * from ${ident(cell.name)} limit ${limits.maxRows + 1}`);
          if (table.numRows > limits.maxRows) continue;
          const ipc = tableToIPC(table, 'stream');
          if (ipc.byteLength <= limits.maxBytes) parts.push({ cell: cell.name.toLowerCase(), ipc });
        }
      } catch {
        // The binding check passed at the published values; another choice may still fail (a cast, a division).
      }
      const size = parts.reduce((n, p) => n + p.ipc.byteLength, 0);
      if (!parts.length || bytes + size > limits.budgetBytes) continue;
      await writeFile(path.join(dir, path.basename(choice.file)), Buffer.concat(parts.map((p) => p.ipc)));
      bytes += size;
      written.push({
        file: choice.file,
        parts: parts.map((p) => ({ cell: p.cell, bytes: p.ipc.byteLength }))
      });
    }
  return written;
}
