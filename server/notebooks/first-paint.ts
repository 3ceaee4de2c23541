// What the notebook page can start before its JavaScript runs: fetching the stored results of its first SQL
// cells, which the page would otherwise request only after its code loaded, the document synced and the cells
// mounted (the page lists them as <link rel="preload"> so the download overlaps all of that); and whether a SQL
// cell runs in the browser (the page then starts DuckDB-WASM as it opens), and the document itself when it is small
// (the page paints its cells at once instead of after the WebSocket's sync), from the same read. The caller must
// have checked that the reader may read the notebook, as the WebSocket does (a viewer at least).
import * as Y from 'yjs';
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
  /** The whole document as one Yjs update, base64, when it is at most `maxStateBytes`; else null. */
  state: string | null;
};

/** Documents up to this size travel in the page: most notebooks, while a huge one does not hold up its HTML. */
export const MAX_EMBEDDED_STATE_BYTES = 256 * 1024;

/**
 * The stored results worth preloading for `notebookId`, whether it has SQL that runs in the browser, and its
 * document when small, read
 * from its open room or the database in one read; nothing known when that takes longer than `deadlineMs` (a
 * hint is not worth holding the page for).
 */
export async function firstPaintHints(
  db: Db,
  notebookId: NotebookId,
  { max = 4, deadlineMs = 150, maxStateBytes = MAX_EMBEDDED_STATE_BYTES } = {}
): Promise<FirstPaintHints> {
  const of = (doc: Y.Doc): FirstPaintHints => {
    const update = Y.encodeStateAsUpdate(doc);
    return {
      preload: storedRunsOf(doc, max),
      localSql: hasLocalSql(doc),
      // Base64 holds no character HTML or a script could read as markup, whatever the cells say.
      state: update.byteLength <= maxStateBytes ? Buffer.from(update).toString('base64') : null
    };
  };
  const unknown: FirstPaintHints = { preload: [], localSql: null, state: null };
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
  return orWhenLate(
    read.catch(() => unknown),
    deadlineMs,
    unknown
  );
}

/** What `work` gives, or `fallback` once `ms` have passed: a hint is not worth holding the page for. */
export async function orWhenLate<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
