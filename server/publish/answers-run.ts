// Child-side (workbench-engine.ts) work for precomputed answers (precompute.ts): each job is one choice of the
// dropdowns, its cells run in order in a fresh engine over the written base tables, and the results marked for
// keeping written into the snapshot's folder as Arrow IPC streams, within the limits. A job whose SQL fails is
// left out (the browser computes that choice, and says what went wrong there); the rest go on.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { ident } from '../../cells/sql/quote';
import type { BoundValue } from '../../cells/sql/parameters';

/** One choice of a set of dropdowns: its cells in order; those marked `keep` go into `file`. */
export type AnswerJob = {
  file: string;
  cells: { name: string; sql: string; params: BoundValue[]; keep: boolean }[];
};
export type AnswerLimits = { maxRows: number; maxBytes: number; budgetBytes: number; budgetMs: number };
/** A file written: the results it holds, in order (lower-cased cell names, bytes of each IPC stream). */
export type AnswerFile = { file: string; parts: { cell: string; bytes: number }[] };

type Engine = {
  runInto(name: string, sql: string, params?: BoundValue[]): Promise<void>;
  query(sql: string): Promise<import('apache-arrow').Table>;
};

export async function runAnswers(
  engine: Engine,
  jobs: AnswerJob[],
  dir: string,
  limits: AnswerLimits
): Promise<AnswerFile[]> {
  const deadline = performance.now() + limits.budgetMs;
  const written: AnswerFile[] = [];
  let bytes = 0;
  for (const job of jobs) {
    if (performance.now() > deadline || bytes >= limits.budgetBytes) break;
    const parts: { cell: string; ipc: Uint8Array }[] = [];
    try {
      for (const cell of job.cells) {
        if (performance.now() > deadline) break;
        await engine.runInto(cell.name, cell.sql, cell.params);
        if (!cell.keep) continue;
        const table = await engine.query(`select * from ${ident(cell.name)} limit ${limits.maxRows + 1}`);
        if (table.numRows > limits.maxRows) continue;
        const ipc = tableToIPC(table, 'stream');
        if (ipc.byteLength <= limits.maxBytes) parts.push({ cell: cell.name.toLowerCase(), ipc });
      }
    } catch {
      // The binding check passed at the published values; another choice may still fail (a cast, a division):
      // what ran before the failure is still right.
    }
    const size = parts.reduce((n, p) => n + p.ipc.byteLength, 0);
    if (!parts.length || bytes + size > limits.budgetBytes) continue;
    await writeFile(path.join(dir, path.basename(job.file)), Buffer.concat(parts.map((p) => p.ipc)));
    bytes += size;
    written.push({ file: job.file, parts: parts.map((p) => ({ cell: p.cell, bytes: p.ipc.byteLength })) });
  }
  return written;
}
