// Housekeeping for dashboards: snapshot folders of notebooks purged from the trash (their publication went with
// them) and of unpublished dashboards are removed; publishing again builds a new one. A first publish builds its
// folder before its publication row exists, here or on another server, so a folder is removed only in the
// notebook's turn (refresh-turns.ts) and after checking again there that it is not published.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Db, Queryable } from '../db/types';
import type { NotebookId } from '../ids';
import { inTurn } from './refresh-turns';

async function published(db: Queryable, notebookIds: string[]): Promise<Set<string>> {
  const rows = await db.query<{ notebook_id: string }>(
    `select notebook_id from publications where visibility <> 'off' and notebook_id = any($1::text[])`,
    [notebookIds]
  );
  return new Set(rows.map((r) => r.notebook_id));
}

export async function purgeUnpublishedSnapshots(db: Db, dataDir: string): Promise<number> {
  const root = path.join(dataDir, 'publications');
  const dirs = await readdir(root).catch(() => [] as string[]);
  if (!dirs.length) return 0;
  const live = await published(db, dirs);
  let removed = 0;
  for (const d of dirs) {
    if (live.has(d)) continue;
    // Folder names are notebook ids (snapshot.ts); anything else there is not ours to take turns on, nor keep.
    const gone = await inTurn(db, d as NotebookId, async () => {
      if ((await published(db, [d])).size) return false;
      await rm(path.join(root, d), { recursive: true, force: true });
      return true;
    });
    if (gone) removed++;
  }
  return removed;
}
