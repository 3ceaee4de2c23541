// Housekeeping for stored results: a cell deleted from its notebook leaves its stored result behind, and a notebook
// purged from the trash leaves its results folder; both are removed here (hourly, with the other housekeeping).
// Only notebooks nobody has edited for a day are swept, so a deletion someone undoes keeps its result.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { orderedCells, parts } from '../../cells/document';
import { loadDoc } from '../collab/doc-store';
import type { Queryable } from '../db/types';
import type { NotebookId } from '../ids';
import { parquetPathOf } from './parquet-export';
import { resultsDir } from './results';

export async function purgeOrphanResults(
  db: Queryable,
  dataDir: string
): Promise<{ cells: number; notebooks: number }> {
  let cells = 0;
  const stored = await db.query<{ notebook_id: NotebookId; cell_id: string; run_id: string }>(
    `select r.notebook_id, r.cell_id, r.run_id from results r
      where coalesce((select max(u.created_at) from doc_updates u where u.notebook_id = r.notebook_id),
                     (select s.updated_at from doc_snapshots s where s.notebook_id = r.notebook_id),
                     now()) < now() - interval '1 day'
      order by r.notebook_id`
  );
  const byNotebook = new Map<NotebookId, { cell_id: string; run_id: string }[]>();
  for (const r of stored) byNotebook.set(r.notebook_id, [...(byNotebook.get(r.notebook_id) ?? []), r]);
  for (const [notebookId, rows] of byNotebook) {
    const doc = await loadDoc(db, notebookId);
    // A cell still in the document (even if its id is not in the order) keeps its result.
    const live = new Set([...parts(doc).cells.keys(), ...orderedCells(doc).map((c) => c.id)]);
    doc.destroy();
    for (const r of rows) {
      if (live.has(r.cell_id)) continue;
      await db.query('delete from results where notebook_id = $1 and cell_id = $2 and run_id = $3', [
        notebookId,
        r.cell_id,
        r.run_id
      ]);
      const file = path.join(resultsDir(dataDir, notebookId), `${r.cell_id}-${r.run_id}.arrow`);
      await rm(file, { force: true });
      await rm(parquetPathOf(file), { force: true });
      cells++;
    }
  }
  let notebooks = 0;
  const dirs = await readdir(path.join(dataDir, 'results')).catch(() => [] as string[]);
  if (dirs.length) {
    const existing = new Set(
      (await db.query<{ id: string }>('select id from notebooks where id = any($1::text[])', [dirs])).map(
        (r) => r.id
      )
    );
    for (const d of dirs) {
      if (existing.has(d)) continue;
      await rm(path.join(dataDir, 'results', d), { recursive: true, force: true });
      notebooks++;
    }
  }
  return { cells, notebooks };
}
