// Stored results of SQL cells: the latest run of each cell as an Arrow IPC stream, replaced by the next run.
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { tableFromIPC, type DataType, type Field } from 'apache-arrow';
import type { Db } from '../db/types';
import { AppError, invalid, notFound } from '../errors';
import { writeLimited } from '../http/write-limited';
import { newId, type CellId, type NotebookId, type UserId } from '../ids';
import { RESULT_LIMIT_BYTES } from '../../cells/sql/run-record';
import { requireNotebookRole } from '../workspaces/access';
import { parquetPathOf } from './parquet-export';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const dirOf = (dataDir: string, notebookId: NotebookId) => path.join(dataDir, 'results', notebookId);
/** Where a notebook's stored results live (forks copy them). */
export const resultsDir = dirOf;
const fileOf = (dataDir: string, notebookId: NotebookId, cellId: CellId, runId: string) =>
  path.join(dirOf(dataDir, notebookId), `${cellId}-${runId}.arrow`);

function checkIds(cellId: string, runId: string) {
  if (!ID.test(cellId) || !ID.test(runId)) throw notFound('That result');
}

const RESULT_NESTING_LIMIT = 32;

/** How many list/struct/map levels a column's type has (counting stops past the limit). */
function nestingOf(type: DataType, depth = 0): number {
  if (depth > RESULT_NESTING_LIMIT) return depth;
  const children = type.children ?? [];
  return children.length === 0
    ? depth
    : Math.max(...children.map((c: Field) => nestingOf(c.type, depth + 1)));
}

export async function storeResult(
  db: Db,
  dataDir: string,
  args: { userId: UserId; notebookId: NotebookId; cellId: CellId; runId: string; body: Readable }
): Promise<{ bytes: number }> {
  checkIds(args.cellId, args.runId);
  await requireNotebookRole(db, args.userId, args.notebookId, 'editor');
  const dir = dirOf(dataDir, args.notebookId);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.incoming-${newId()}`);
  const dest = fileOf(dataDir, args.notebookId, args.cellId, args.runId);
  let moved = false;
  try {
    const bytes = await writeLimited(
      args.body,
      tmp,
      RESULT_LIMIT_BYTES,
      () => new AppError('too_large', 'This result is larger than 50 MB; store a preview instead.')
    );
    let table;
    try {
      table = tableFromIPC(await readFile(tmp)); // at most 50 MB, so reading it whole to check it is fine
    } catch {
      throw invalid('This is not an Arrow IPC stream.');
    }
    // The Parquet download feeds this into the server's DuckDB, whose work grows with the square of a type's
    // nesting (as with deep JSON uploads); no query result nests anywhere near this deep.
    if (table.schema.fields.some((f) => nestingOf(f.type) > RESULT_NESTING_LIMIT)) {
      throw invalid(`This result nests lists or structs more than ${RESULT_NESTING_LIMIT} levels deep.`);
    }
    await rename(tmp, dest);
    moved = true;
    const previous = await db.transaction(async (tx) => {
      const old = await tx.query<{ run_id: string }>(
        'select run_id from results where notebook_id = $1 and cell_id = $2 for update',
        [args.notebookId, args.cellId]
      );
      await tx.query(
        `insert into results (notebook_id, cell_id, run_id, bytes, created_by) values ($1, $2, $3, $4, $5)
         on conflict (notebook_id, cell_id)
         do update set run_id = excluded.run_id, bytes = excluded.bytes, created_by = excluded.created_by,
                       created_at = now()`,
        [args.notebookId, args.cellId, args.runId, bytes, args.userId]
      );
      return old[0]?.run_id ?? null;
    });
    if (previous && previous !== args.runId) {
      const old = fileOf(dataDir, args.notebookId, args.cellId, previous);
      await rm(old, { force: true });
      await rm(parquetPathOf(old), { force: true });
    }
    return { bytes };
  } catch (e) {
    if (moved) await rm(dest, { force: true });
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Path of a cell's stored result, if `runId` is the one stored (an older run's result is gone). */
export async function resultPath(
  db: Db,
  dataDir: string,
  args: { userId: UserId; notebookId: NotebookId; cellId: CellId; runId: string }
): Promise<string> {
  checkIds(args.cellId, args.runId);
  await requireNotebookRole(db, args.userId, args.notebookId, 'viewer');
  const rows = await db.query<{ run_id: string }>(
    'select run_id from results where notebook_id = $1 and cell_id = $2',
    [args.notebookId, args.cellId]
  );
  if (rows[0]?.run_id !== args.runId) throw notFound('That result');
  return fileOf(dataDir, args.notebookId, args.cellId, args.runId);
}
