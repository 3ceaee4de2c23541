// A dashboard snapshot: the frozen notebook's published queries re-run on the server — connection cells on their
// connection with the publisher's access, local cells with native DuckDB over the same Parquet files — and each
// card's content written to a new folder. All or nothing: a failing query fails the snapshot with a message
// naming the cell, and the caller keeps the previous one.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tableToIPC } from 'apache-arrow';
import { CELL_ID, getTitle, orderedCells, parts } from '../../cells/document';
import { readInputConfig } from '../../cells/input/config';
import { isInputCell } from '../../cells/input/kind';
import { inputValue, shownValues } from '../../cells/input/value';
import type { PublishedDashboard } from '../../cells/published';
import type { Queryable } from '../db/types';
import { newId, type NotebookId } from '../ids';
import { buildCard, type Card } from './cards';
import { interactiveSection } from './interactive-tables';
import { renderCharts } from './render-charts';
import { prepareRun, type Frozen, type SnapshotDeps } from './snapshot-run';
import type { Workbench } from './workbench';

export { neededCells, type Frozen, type SnapshotDeps } from './snapshot-run';

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
 * Builds a new snapshot folder; returns its id. `probe` reads what else the refresh's tables say while they are
 * open (the values alerts watch: server/deliveries/alert-check.ts).
 */
export async function buildSnapshot(
  db: Queryable,
  deps: SnapshotDeps,
  frozen: Frozen,
  probe?: (bench: Workbench) => Promise<void>
): Promise<string> {
  const { doc, items, cells, bench, inputs, ran } = await prepareRun(db, deps, frozen);
  const snapshotId = newId();
  const dir = snapshotDir(deps.dataDir, frozen.notebookId, snapshotId);
  const tmp = `${dir}.incoming`;
  try {
    await mkdir(tmp, { recursive: true });
    const shown = shownValues(
      orderedCells(doc)
        .filter(isInputCell)
        .map((c) => ({ name: c.name, value: inputValue(readInputConfig(c.config.toJSON())) }))
    );
    const ctx = { bench, showSql: frozen.showSql, shown };
    const cards: Card[] = [];
    for (const item of items) {
      const card = await buildCard(item, cells.get(item.cellId)!, ctx);
      cards.push(card);
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
    // A chart that could not be drawn here would fail in viewers' browsers too: it stays as published.
    const specs = new Map(
      cards
        .filter((c) => c.spec && c.item.view === 'chart' && !c.item.error)
        .map((c) => [c.item.cellId, c.spec!])
    );
    await probe?.(bench);
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
