// A dashboard snapshot: the frozen notebook's published queries re-run on the server — connection cells on their
// connection with the publisher's access, local cells with native DuckDB over the same Parquet files — and each
// card's content written to a new folder. All or nothing: a failing query fails the snapshot with a message
// naming the cell, and the caller keeps the previous one.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tableToIPC } from 'apache-arrow';
import * as Y from 'yjs';
import { readChartConfig } from '../../cells/chart/config';
import { readInputConfig } from '../../cells/input/config';
import { inputValue, shownValues } from '../../cells/input/value';
import { CELL_ID, getTitle, orderedCells, parts, type Cell } from '../../cells/document';
import { arrange, readLayout } from '../../cells/layout';
import type { PublishedDashboard } from '../../cells/published';
import { referencedNames } from '../../cells/sql/references';
import type { SecretBox } from '../connectors/secret-box';
import type { Queryable } from '../db/types';
import { AppError, invalid } from '../errors';
import { parquetPath } from '../files/files';
import { newId, type NotebookId, type UserId, type WorkspaceId } from '../ids';
import { isSqlCell } from '../../cells/sql/kind';
import { runsLocally, sqlEngine } from '../../cells/sql/engine';
import { isInputCell } from '../../cells/input/kind';
import { choicesSource, referencedInputCells } from '../../cells/input/bound-inputs';
import { benchInputs, runLocalCell, type BenchInputs } from './bench-inputs';
import { buildCard, type Card } from './cards';
import { runOnConnection } from './connection-run';
import { interactiveSection } from './interactive-tables';
import { renderCharts } from './render-charts';
import { openWorkbench, type Workbench } from './workbench';

export type SnapshotDeps = { dataDir: string; secretBox: () => SecretBox };

export type Frozen = {
  notebookId: NotebookId;
  workspaceId: WorkspaceId;
  publishedBy: UserId;
  docState: Uint8Array;
  showSql: boolean;
};

export const publicationDir = (dataDir: string, notebookId: NotebookId) =>
  path.join(dataDir, 'publications', notebookId);
export const snapshotDir = (dataDir: string, notebookId: NotebookId, snapshotId: string) =>
  path.join(publicationDir(dataDir, notebookId), snapshotId);
export const DASHBOARD_FILE = 'dashboard.json';
export function chartFile(cellId: string): string {
  // Documents only hold such ids (cells/document.ts); this keeps a file name from ever leaving its folder.
  if (!CELL_ID.test(cellId)) throw new Error(`Not a cell id: ${JSON.stringify(cellId.slice(0, 80))}`);
  return `chart-${cellId}.arrow`;
}

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

/** Builds a new snapshot folder; returns its id. */
export async function buildSnapshot(db: Queryable, deps: SnapshotDeps, frozen: Frozen): Promise<string> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, frozen.docState);
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

  const snapshotId = newId();
  const dir = snapshotDir(deps.dataDir, frozen.notebookId, snapshotId);
  const tmp = `${dir}.incoming`;
  const bench = await openWorkbench(files);
  try {
    const inputs = benchInputs(bench, orderedCells(doc).filter(isInputCell));
    const ran = await runCells(db, deps, frozen, bench, neededCells(doc, sources), inputs);
    await mkdir(tmp, { recursive: true });
    const shown = shownValues(
      orderedCells(doc)
        .filter(isInputCell)
        .map((c) => ({ name: c.name, value: inputValue(readInputConfig(c.config.toJSON())) }))
    );
    const ctx = { bench, showSql: frozen.showSql, shown };
    const cards: Card[] = [];
    const specs = new Map<string, Record<string, unknown>>();
    for (const item of items) {
      const card = await buildCard(item, cells.get(item.cellId)!, ctx);
      cards.push(card);
      if (card.spec && !card.item.error) specs.set(item.cellId, card.spec);
      if (card.chartRows)
        await writeFile(path.join(tmp, chartFile(item.cellId)), tableToIPC(card.chartRows, 'stream'));
    }
    const toDraw = cards.filter((c) => c.draw);
    const drawings = await renderCharts(toDraw.map((c) => c.draw!));
    toDraw.forEach((card, i) => {
      const drawn = drawings[i]!;
      if (card.item.view !== 'chart') return;
      if ('svg' in drawn) card.item.svg = drawn.svg;
      // Viewers' browsers would meet the same trouble: they get the message instead of the spec.
      else Object.assign(card.item, { spec: null, hasData: false, error: drawn.error });
    });
    const published = cards.map((c) => c.item);
    const interactive = await interactiveSection(bench, doc, tmp, await inputs.values(ran), specs);
    const description = parts(doc).meta.get('description');
    const dashboard: PublishedDashboard = {
      title: getTitle(doc) || 'Untitled notebook',
      description: typeof description === 'string' ? description : '',
      items: published,
      builtAt: new Date().toISOString(),
      ...(interactive ? { interactive } : {})
    };
    await writeFile(path.join(tmp, DASHBOARD_FILE), JSON.stringify(dashboard));
    await rename(tmp, dir);
    return snapshotId;
  } finally {
    bench.close();
    doc.destroy();
    await rm(tmp, { recursive: true, force: true });
  }
}
