// What the server needs to re-run a published dashboard's connection cells for viewers, read once per snapshot:
// the inputs viewers may change (the snapshot's `interactive` section), the values every input had when it was
// published, and for each cell listed to run on the server, its SQL and connection from the frozen document
// (publications.doc_state) — never from a request. A snapshot never changes once built, so this is kept by its
// id; a refresh or a new publish makes a new snapshot id.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as Y from 'yjs';
import { orderedCells } from '../../cells/document';
import { notebookInputValues } from '../../cells/input/bound-inputs';
import type { PublishedInput } from '../../cells/interactive';
import { PublishedDashboardSchema } from '../../cells/published';
import { isSqlCell } from '../../cells/sql/kind';
import { runsLocally, sqlEngine } from '../../cells/sql/engine';
import type { InputValues } from '../../cells/sql/parameters';
import { inputReferences } from '../../cells/sql/references';
import type { PublicationRow } from './publication-store';
import { DASHBOARD_FILE, snapshotDir } from './snapshot';

export type LiveCell = {
  name: string;
  /** The connection's id, as the frozen document names it. */
  engine: string;
  sql: string;
  /** Lower-cased names of the inputs the SQL may bind (in any dialect: a superset is safe for the cache key). */
  references: string[];
};

export type LivePlan = {
  inputs: PublishedInput[];
  /** Every input of the frozen notebook as SQL bound it at publish. */
  published: InputValues;
  /** By lower-cased name: the cells viewers may have re-run on the server. */
  cells: Map<string, LiveCell>;
};

/** Built from what a snapshot holds; exported for tests. */
export function buildPlan(dashboardJson: unknown, docState: Uint8Array): LivePlan {
  const interactive = PublishedDashboardSchema.parse(dashboardJson).interactive;
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, docState);
    const inputs = interactive?.inputs ?? [];
    // An "empty means all" list over a column binds the choices resolved at publish, as the snapshot did.
    const columnChoices = (source: string, column: string) =>
      inputs.find(
        (i) =>
          i.config.options.from === 'column' &&
          i.config.options.source.toLowerCase() === source.toLowerCase() &&
          i.config.options.column === column
      )?.choices;
    const published = notebookInputValues(doc, columnChoices);
    const sqlCells = orderedCells(doc).filter((c) => isSqlCell(c) && c.name && !runsLocally(c));
    const cells = new Map<string, LiveCell>();
    for (const replay of interactive?.cells ?? []) {
      if (replay.runsOn !== 'server') continue;
      const key = replay.name.toLowerCase();
      const cell = sqlCells.find((c) => c.name.toLowerCase() === key);
      if (!cell || cells.has(key)) continue;
      const sql = cell.source.toString();
      const references = new Set(
        (['duckdb', 'postgres', 'mysql'] as const).flatMap((d) =>
          inputReferences(sql, d).map((n) => n.toLowerCase())
        )
      );
      cells.set(key, { name: cell.name, engine: sqlEngine(cell), sql, references: [...references] });
    }
    return { inputs, published, cells };
  } finally {
    doc.destroy();
  }
}

const KEPT = 100;
const plans = new Map<string, Promise<LivePlan>>();

/** The plan of the publication's current snapshot (which must exist: access checked it). */
export function livePlan(dataDir: string, row: PublicationRow): Promise<LivePlan> {
  const id = row.snapshot_id!;
  const key = `${row.notebook_id}/${id}`;
  const found = plans.get(key);
  if (found) {
    plans.delete(key);
    plans.set(key, found);
    return found;
  }
  const file = path.join(snapshotDir(dataDir, row.notebook_id, id), DASHBOARD_FILE);
  const plan = readFile(file, 'utf8').then((text) =>
    buildPlan(JSON.parse(text), new Uint8Array(row.doc_state))
  );
  plans.set(key, plan);
  plan.catch(() => plans.delete(key));
  while (plans.size > KEPT) plans.delete(plans.keys().next().value!);
  return plan;
}
