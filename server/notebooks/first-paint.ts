// What the notebook page can start before its JavaScript runs: fetching the stored results of its first SQL
// cells, which the page would otherwise request only after its code loaded, the document synced and the cells
// mounted (the page lists them as <link rel="preload"> so the download overlaps all of that); and whether a SQL
// cell runs in the browser (the page then starts DuckDB-WASM as it opens), from the same read.
import type * as Y from 'yjs';
import { orderedCells } from '../../cells/document';
import { isSqlCell } from '../../cells/sql/kind';
import { hasLocalSql } from '../../cells/sql/local-sql';
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

/** What the notebook page can start before its code runs, or as soon as it does. */
export type FirstPaintHints = {
  /** Stored results to preload (the first cells', top to bottom). */
  preload: StoredRun[];
  /** Whether a SQL cell runs in the browser (so DuckDB-WASM is worth starting); null when not read in time. */
  localSql: boolean | null;
};

/**
 * The stored results worth preloading for `notebookId`, and whether it has SQL that runs in the browser, read
 * from its open room or the database in one read; nothing known when that takes longer than `deadlineMs` (a
 * hint is not worth holding the page for).
 */
export async function firstPaintHints(
  db: Db,
  notebookId: NotebookId,
  { max = 4, deadlineMs = 150 } = {}
): Promise<FirstPaintHints> {
  const of = (doc: Y.Doc): FirstPaintHints => ({
    preload: storedRunsOf(doc, max),
    localSql: hasLocalSql(doc)
  });
  const unknown: FirstPaintHints = { preload: [], localSql: null };
  const read = (async () => {
    const room = await roomsFor(db)
      .peek(notebookId)
      .catch(() => undefined);
    if (room && !room.isDestroyed) return of(room.doc);
    const doc = await loadDoc(db, notebookId);
    try {
      return of(doc);
    } finally {
      doc.destroy();
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<FirstPaintHints>(
    (resolve) => (timer = setTimeout(() => resolve(unknown), deadlineMs))
  );
  try {
    return await Promise.race([read.catch(() => unknown), late]);
  } finally {
    clearTimeout(timer);
  }
}
