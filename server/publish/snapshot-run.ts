// Running what a dashboard snapshot needs: the frozen document's cards' cells (and the cells those read) in
// notebook order, local cells in the workbench child and connection cells on their connection with the
// publisher's access (connection-run.ts, shared with viewers' re-runs), each binding the notebook's inputs as
// stored. Shared by snapshots (snapshot.ts) and the publish panel's preview of what viewers could download
// (exposure.ts).
import { existsSync } from 'node:fs';
import * as Y from 'yjs';
import { readChartConfig } from '../../cells/chart/config';
import { orderedCells, type Cell } from '../../cells/document';
import { choicesSource, referencedInputCells } from '../../cells/input/bound-inputs';
import { isInputCell } from '../../cells/input/kind';
import { arrange, readLayout, type LayoutItem } from '../../cells/layout';
import { runsLocally, sqlEngine } from '../../cells/sql/engine';
import { isSqlCell } from '../../cells/sql/kind';
import { referencedNames } from '../../cells/sql/references';
import type { SecretBox } from '../connectors/secret-box';
import type { Queryable } from '../db/types';
import { AppError, invalid } from '../errors';
import { parquetPath } from '../files/files';
import { type NotebookId, type UserId, type WorkspaceId } from '../ids';
import { benchInputs, runLocalCell, type BenchInputs } from './bench-inputs';
import { runOnConnection } from './connection-run';
import { openWorkbench, type Workbench } from './workbench';

export type SnapshotDeps = { dataDir: string; secretBox: () => SecretBox };

export type Frozen = {
  notebookId: NotebookId;
  workspaceId: WorkspaceId;
  publishedBy: UserId;
  docState: Uint8Array;
  showSql: boolean;
};

/**
 * SQL cells the cards read, and the cells those read in turn, in notebook order: through their SQL, and through
 * the inputs they bind whose choices are a column of a result (an "empty means all" list binds that column).
 */
export function neededCells(doc: Y.Doc, sources: string[]): Cell[] {
  const all = orderedCells(doc);
  const sql = all.filter((c) => isSqlCell(c) && c.name);
  const byName = new Map(sql.map((c) => [c.name.toLowerCase(), c]));
  const needed = new Set<string>();
  const visit = (name: string) => {
    const cell = byName.get(name.toLowerCase());
    if (!cell || needed.has(cell.id)) return;
    needed.add(cell.id);
    const text = cell.source.toString();
    for (const ref of referencedNames(text)) if (ref !== name.toLowerCase()) visit(ref);
    for (const input of referencedInputCells(all, [text])) {
      const from = choicesSource(input);
      if (from) visit(from);
    }
  };
  sources.forEach(visit);
  return sql.filter((c) => needed.has(c.id));
}

/**
 * Runs the cells in order, each binding the notebook's inputs as stored (`{{name}}` as the engine's parameters);
 * a reference to no input fails the cell, and so the snapshot, with the compiler's message.
 */
async function runCells(
  db: Queryable,
  deps: SnapshotDeps,
  frozen: Frozen,
  bench: Workbench,
  cells: Cell[],
  inputs: BenchInputs
) {
  const ran = new Set<string>();
  for (const cell of cells) {
    try {
      const values = await inputs.values(ran);
      if (runsLocally(cell)) await runLocalCell(bench, cell.name, cell.source.toString(), values);
      else {
        const cellRun = { engine: sqlEngine(cell), sql: cell.source.toString() };
        const result = await runOnConnection(db, deps.secretBox(), frozen, cellRun, values);
        await bench.load(cell.name, result.table);
      }
      ran.add(cell.name.toLowerCase());
    } catch (e) {
      // Viewers read this message: where the server keeps its files is none of their business.
      const why = (e instanceof Error ? e.message : String(e)).split(deps.dataDir).join('…');
      throw new AppError('unavailable', `The query "${cell.name}" failed: ${why}`);
    }
  }
  return ran;
}

/** The frozen document with its cards' cells run into a workbench; the caller closes `bench` and `doc`. */
export type Prepared = {
  doc: Y.Doc;
  items: LayoutItem[];
  cells: Map<string, Cell>;
  bench: Workbench;
  inputs: BenchInputs;
  /** Lower-cased names of the cells that ran. */
  ran: Set<string>;
};

export async function prepareRun(db: Queryable, deps: SnapshotDeps, frozen: Frozen): Promise<Prepared> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, frozen.docState);
  try {
    const items = arrange(readLayout(doc));
    if (items.length === 0)
      throw invalid('The dashboard is empty: add charts, text or results to it in the Dashboard view first.');
    const cells = new Map(orderedCells(doc).map((c) => [c.id, c]));
    const sources = items.flatMap((i) => {
      const cell = cells.get(i.cellId)!;
      if (i.view === 'chart') return [readChartConfig(cell.config.toJSON()).source ?? ''];
      return i.view === 'text' ? [] : [cell.name];
    });
    const files = (
      await db.query<{ id: string; table_name: string }>(
        'select id, table_name from files where workspace_id = $1',
        [frozen.workspaceId]
      )
    )
      .map((f) => ({ tableName: f.table_name, path: parquetPath(deps.dataDir, frozen.workspaceId, f.id) }))
      .filter((f) => existsSync(f.path));
    const bench = await openWorkbench(files);
    try {
      const inputs = benchInputs(bench, orderedCells(doc).filter(isInputCell));
      const ran = await runCells(db, deps, frozen, bench, neededCells(doc, sources), inputs);
      return { doc, items, cells, bench, inputs, ran };
    } catch (e) {
      bench.close();
      throw e;
    }
  } catch (e) {
    doc.destroy();
    throw e;
  }
}
