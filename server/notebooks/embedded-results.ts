// The notebook page's first stored results, when small, carried in its HTML: the page then paints the first table
// with the cells instead of after fetching it (a preload still costs a round trip, and then a task for each step
// of reading it while the opening page is busy). Read through `resultPath`, as GET /api/results does: the reader's
// role, and the run the server stored for that cell (a run id in the document is anyone's word).
import { readFile, stat } from 'node:fs/promises';
import { resultPath } from '../results/results';
import type { Db } from '../db/types';
import { CellIdSchema, parseId, type NotebookId, type UserId } from '../ids';
import { orWhenLate, type StoredRun } from './first-paint';

export type EmbeddedResult = StoredRun & { /** The Arrow IPC stream, base64. */ ipc: string };

/** Per result and for all together: small tables only, so the HTML stays small. */
export const EMBED_RESULT_BYTES = 32 * 1024;
export const EMBED_RESULTS_TOTAL_BYTES = 64 * 1024;

/**
 * The stored results of `runs` (top to bottom) that fit the caps, as base64; a result that is missing, not
 * readable by `userId` or too big is left out (the page fetches it as before). Nothing when it takes longer than
 * `deadlineMs`: the page is not held for it.
 */
export async function embeddedResults(
  db: Db,
  dataDir: string,
  userId: UserId,
  notebookId: NotebookId,
  runs: StoredRun[],
  { deadlineMs = 150 } = {}
): Promise<EmbeddedResult[]> {
  const read = async (r: StoredRun): Promise<EmbeddedResult | null> => {
    try {
      const cellId = parseId(CellIdSchema, r.cellId, 'That result');
      const file = await resultPath(db, dataDir, { userId, notebookId, cellId, runId: r.runId });
      if ((await stat(file)).size > EMBED_RESULT_BYTES) return null;
      return { ...r, ipc: (await readFile(file)).toString('base64') };
    } catch {
      return null; // not stored (any more), or not this reader's: the page asks for it and is told why
    }
  };
  const all = (async () => {
    const found = await Promise.all(runs.map(read));
    const out: EmbeddedResult[] = [];
    let total = 0;
    for (const r of found) {
      if (!r) continue;
      total += (r.ipc.length * 3) / 4;
      if (total > EMBED_RESULTS_TOTAL_BYTES) break;
      out.push(r);
    }
    return out;
  })();
  return orWhenLate(all, deadlineMs, []);
}
