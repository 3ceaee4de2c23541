// What the notebook page can start fetching before its JavaScript runs: the stored results of its first SQL
// cells, which the page would otherwise request only after its code loaded, the document synced and the cells
// mounted. The page lists them as <link rel="preload"> so the download overlaps all of that.
import type * as Y from 'yjs';
import { orderedCells } from '../../cells/document';
import { isSqlCell } from '../../cells/sql/kind';
import { readRun } from '../../cells/sql/run-record';
import { loadDoc } from '../collab/doc-store';
import { roomsFor } from '../collab/rooms';
import type { Db } from '../db/types';
import type { NotebookId } from '../ids';

export type StoredRun = { cellId: string; runId: string };

/** The first cells' stored results, top to bottom; fewer when a result is a preview or not stored. */
export function storedRunsOf(doc: Y.Doc, max: number): StoredRun[] {
  const out: StoredRun[] = [];
  for (const cell of orderedCells(doc)) {
    if (out.length >= max) break;
    if (!isSqlCell(cell)) continue;
    const run = readRun(cell.run);
    if (run?.status === 'done' && run.runId && (run.stored === 'full' || run.stored === 'preview'))
      out.push({ cellId: cell.id, runId: run.runId });
  }
  return out;
}

/**
 * The stored results worth preloading for `notebookId`, read from its open room or the database; none when that
 * takes longer than `deadlineMs` (a hint is not worth holding the page for).
 */
export async function storedRunsToPreload(
  db: Db,
  notebookId: NotebookId,
  { max = 4, deadlineMs = 150 } = {}
): Promise<StoredRun[]> {
  const read = (async () => {
    const room = await roomsFor(db)
      .peek(notebookId)
      .catch(() => undefined);
    if (room && !room.isDestroyed) return storedRunsOf(room.doc, max);
    const doc = await loadDoc(db, notebookId);
    try {
      return storedRunsOf(doc, max);
    } finally {
      doc.destroy();
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<StoredRun[]>((resolve) => (timer = setTimeout(() => resolve([]), deadlineMs)));
  try {
    return await Promise.race([read.catch(() => []), late]);
  } finally {
    clearTimeout(timer);
  }
}
