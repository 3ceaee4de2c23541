// What publishing the notebook as it is now would let a dashboard's viewers have beyond the cards themselves
// (interactive dashboards, issue 21): the tables and columns their browsers may download, the database queries
// they may have the server re-run and with which inputs, and the cards that would stay frozen, and why. Computed
// by the same code as publishing (snapshot-run.ts, interactive-tables.ts) into a throwaway folder, so the list is
// exactly what publishing writes. For the notebook's editors, before they publish.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { orderedCells } from '../../cells/document';
import { inputReferences } from '../../cells/sql/references';
import { loadDoc } from '../collab/doc-store';
import type { Db } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import { requireNotebookRole } from '../workspaces/access';
import { interactiveSection } from './interactive-tables';
import { inTurn, oneAtATime } from './refresh-turns';
import { prepareRun, type SnapshotDeps } from './snapshot-run';

export type Exposure = {
  /** Inputs viewers may change (their names, as in SQL). */
  inputs: string[];
  tables: { name: string; columns: string[]; rows: number; bytes: number }[];
  /** Inputs off the dashboard whose published values viewers' browsers bind (and so can read). */
  fixed: string[];
  /** Database queries the server re-runs for viewers, with the inputs each binds. */
  serverQueries: { name: string; inputs: string[] }[];
  frozen: { label: string; reason: string }[];
};

const previewOnce = oneAtATime<Exposure>();

export async function publicationExposure(
  db: Db,
  deps: SnapshotDeps,
  userId: UserId,
  notebookId: NotebookId
): Promise<Exposure> {
  const { notebook } = await requireNotebookRole(db, userId, notebookId, 'editor');
  // Several clicks (or editors) asking at once share one run; it takes its turn with publishing.
  return previewOnce(notebookId, () =>
    inTurn(db, notebookId, async () => {
      const live = await loadDoc(db, notebookId);
      const docState = Y.encodeStateAsUpdate(live);
      live.destroy();
      const frozen = {
        notebookId,
        workspaceId: notebook.workspaceId,
        publishedBy: userId,
        docState,
        showSql: false
      };
      const { doc, bench, inputs, ran } = await prepareRun(db, deps, frozen);
      const dir = await mkdtemp(path.join(tmpdir(), 'sheaf-exposure-'));
      try {
        const section = await interactiveSection(bench, doc, dir, await inputs.values(ran), null);
        if (!section) return { inputs: [], fixed: [], tables: [], serverQueries: [], frozen: [] };
        const cells = orderedCells(doc);
        const names = new Set(section.inputs.map((i) => i.name.toLowerCase()));
        const sqlOf = (name: string) => cells.find((c) => c.name === name)?.source.toString() ?? '';
        const labelOf = (id: string) => cells.find((c) => c.id === id)?.name || 'A text card';
        return {
          inputs: section.inputs.map((i) => i.name),
          fixed: Object.keys(section.fixed ?? {}),
          tables: section.tables.map((t) => ({
            name: t.name,
            columns: t.columns.map((c) => c.name),
            rows: t.rows,
            bytes: t.bytes
          })),
          serverQueries: section.cells
            .filter((c) => c.runsOn === 'server')
            .map((c) => ({
              name: c.name,
              inputs: inputReferences(sqlOf(c.name)).filter((n) => names.has(n))
            })),
          frozen: section.frozen.map((f) => ({ label: labelOf(f.cellId), reason: f.reason }))
        };
      } finally {
        bench.close();
        doc.destroy();
        await rm(dir, { recursive: true, force: true });
      }
    })
  );
}
