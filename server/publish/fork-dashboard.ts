// Forking from a published dashboard: a signed-in viewer copies what was published — the dashboard's cells and
// the queries they read, as frozen at publishing — into a workspace they edit, when they are a member or the
// author allowed it on a public dashboard, with the inputs those queries bind (their values as published).
// Nothing else of the notebook comes along: no other cells, no stored results, no run records (their errors may
// name hosts), and no SQL of database queries unless the author shows it. The files the remaining queries read
// are copied (see copyNotebook).
import * as Y from 'yjs';
import { readChartConfig } from '../../cells/chart/config';
import { deleteCell, getTitle, orderedCells } from '../../cells/document';
import { readLayout } from '../../cells/layout';
import { referencedInputCells } from '../../cells/input/bound-inputs';
import { textInputReferences } from '../../cells/text/input-values';
import { runsLocally } from '../../cells/sql/engine';
import { isSqlCell } from '../../cells/sql/kind';
import type { Db } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import { copyNotebook } from '../notebooks/fork';
import { forkableDashboard } from './dashboard-access';
import { neededCells } from './snapshot';

const HIDDEN_SQL = '-- The SQL of this database query was not published. Write your own here.\n';

/** The frozen document reduced to what the dashboard shows and needs. */
function publishedPart(state: Uint8Array, showSql: boolean): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const items = readLayout(doc);
  const cells = new Map(orderedCells(doc).map((c) => [c.id, c]));
  const sources = items.flatMap((i) => {
    const cell = cells.get(i.cellId)!;
    if (i.view === 'chart') return [readChartConfig(cell.config.toJSON()).source ?? ''];
    return i.view === 'text' ? [] : [cell.name];
  });
  const needed = neededCells(doc, sources);
  // The inputs the copied queries bind come along with their values now; those only a hidden query binds do not.
  const shown = needed.filter((c) => runsLocally(c) || showSql).map((c) => c.source.toString());
  // Text cards show inputs' values too ({{name}}), so the inputs they name come along as well.
  const named = items
    .filter((i) => i.view === 'text')
    .flatMap((i) => textInputReferences(cells.get(i.cellId)!.source.toString()));
  const inputs = referencedInputCells([...cells.values()], shown, named);
  const keep = new Set([
    ...items.map((i) => i.cellId),
    ...needed.map((c) => c.id),
    ...inputs.map((c) => c.id)
  ]);
  doc.transact(() => {
    for (const cell of cells.values()) {
      if (!keep.has(cell.id)) {
        deleteCell(doc, cell.id);
        continue;
      }
      for (const k of [...cell.run.keys()]) cell.run.delete(k);
      if (isSqlCell(cell) && !runsLocally(cell) && !showSql) {
        cell.source.delete(0, cell.source.length);
        cell.source.insert(0, HIDDEN_SQL);
      }
    }
  });
  // A fresh document: the deleted content must not travel in the copy's history.
  const clean = new Y.Doc();
  Y.applyUpdate(clean, Y.encodeStateAsUpdate(doc));
  const out = Y.encodeStateAsUpdate(clean);
  doc.destroy();
  clean.destroy();
  return out;
}

export async function forkDashboard(
  db: Db,
  dataDir: string,
  userId: UserId,
  slug: string,
  input: unknown
): Promise<{ id: NotebookId; title: string }> {
  const source = await forkableDashboard(db, slug, userId);
  const state = publishedPart(source.docState, source.showSql);
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const title = getTitle(doc) || 'Dashboard';
  doc.destroy();
  return copyNotebook(
    db,
    dataDir,
    userId,
    { id: source.notebookId, workspaceId: source.workspaceId, title },
    state,
    input,
    { copyResults: false }
  );
}
