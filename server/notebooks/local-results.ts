// Runs a notebook's local SQL cells on the server — native DuckDB in the workbench child (the same isolation as
// a dashboard refresh), over the workspace's uploaded files — and stores each result and run record as a browser
// run would. The demo notebook is seeded this way, so a newcomer's first screen shows a table and a chart
// instead of "Run delays_by_hour to see this chart". Cells bind the notebook's inputs as stored ({{name}}).
import { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import { tableToIPC } from 'apache-arrow';
import * as Y from 'yjs';
import { newCellId, orderedCells, type Cell } from '../../cells/document';
import { isInputCell } from '../../cells/input/kind';
import { runsLocally } from '../../cells/sql/engine';
import { isSqlCell } from '../../cells/sql/kind';
import { upstreamOf, type SqlCellState } from '../../cells/sql/staleness';
import { hashSource, readRun, RESULT_LIMIT_BYTES } from '../../cells/sql/run-record';
import { ident } from '../../cells/sql/quote';
import { appendUpdates, loadDoc } from '../collab/doc-store';
import type { Db } from '../db/types';
import { CellIdSchema, parseId, type NotebookId, type UserId, type WorkspaceId } from '../ids';
import { parquetPath } from '../files/files';
import { benchInputs, runLocalCell } from '../publish/bench-inputs';
import { openWorkbench } from '../publish/workbench';
import { storeResult } from '../results/results';

/** Run records are not edits anyone would undo; the browser writes them with this origin too. */
const RUN_ORIGIN = 'run';

/**
 * Runs the notebook's local SQL cells that have never run, in order, and stores what they return. Returns the
 * names of the cells it ran. A cell that fails is left without a run record (a person running it sees why).
 */
export async function runLocalCells(
  db: Db,
  dataDir: string,
  args: { userId: UserId; userName: string; notebookId: NotebookId }
): Promise<string[]> {
  const [nb] = await db.query<{ workspace_id: WorkspaceId }>(
    'select workspace_id from notebooks where id = $1',
    [args.notebookId]
  );
  if (!nb) return [];
  const doc = await loadDoc(db, args.notebookId);
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  try {
    const cells = orderedCells(doc).filter(isSqlCell);
    const todo = cells.filter((c) => c.name && runsLocally(c) && !readRun(c.run));
    if (todo.length === 0) return [];
    const files = (
      await db.query<{ id: string; table_name: string }>(
        'select id, table_name from files where workspace_id = $1',
        [nb.workspace_id]
      )
    )
      .map((f) => ({ tableName: f.table_name, path: parquetPath(dataDir, nb.workspace_id, f.id) }))
      .filter((f) => existsSync(f.path));
    const bench = await openWorkbench(files);
    const ran: string[] = [];
    // The notebook's inputs as stored; a list over a column binds the column's values when its result ran here.
    const inputs = benchInputs(bench, orderedCells(doc).filter(isInputCell));
    try {
      for (const cell of todo) {
        const started = performance.now();
        const sql = cell.source.toString();
        try {
          await runLocalCell(
            bench,
            cell.name,
            sql,
            await inputs.values(new Set(ran.map((n) => n.toLowerCase())))
          );
        } catch {
          continue;
        }
        const table = await bench.query(`select * from ${ident(cell.name)}`);
        const ipc = tableToIPC(table, 'stream');
        if (ipc.byteLength > RESULT_LIMIT_BYTES) continue; // not a first-screen result: left for a person to run
        const runId = newCellId();
        await storeResult(db, dataDir, {
          userId: args.userId,
          notebookId: args.notebookId,
          cellId: parseId(CellIdSchema, cell.id, 'That result'),
          runId,
          body: Readable.from([Buffer.from(ipc)])
        });
        record(doc, cell, {
          status: 'done',
          by: args.userName,
          at: new Date().toISOString(),
          runId,
          rows: table.numRows,
          columns: table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) })),
          ms: Math.round(performance.now() - started),
          sourceHash: hashSource(sql),
          inputs: inputsOf(cells, cell),
          stored: 'full',
          storedRows: table.numRows,
          engine: 'local'
        });
        ran.push(cell.name);
      }
    } finally {
      bench.close();
    }
    await appendUpdates(db, args.notebookId, updates);
    return ran;
  } finally {
    doc.destroy();
  }
}

function record(doc: Y.Doc, cell: Cell, fields: Record<string, unknown>) {
  doc.transact(() => {
    for (const [k, v] of Object.entries(fields)) cell.run.set(k, v);
  }, RUN_ORIGIN);
}

/** The run ids of the upstream results this cell read, as the browser records them (see staleness.ts). */
function inputsOf(cells: Cell[], cell: Cell): Record<string, string> {
  const states: SqlCellState[] = cells.map((c) => ({
    id: c.id,
    name: c.name,
    sql: c.source.toString(),
    run: readRun(c.run)
  }));
  const inputs: Record<string, string> = {};
  for (const up of upstreamOf(states, cells.indexOf(cell))) if (up.run?.runId) inputs[up.name] = up.run.runId;
  return inputs;
}
