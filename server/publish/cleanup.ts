// Housekeeping for dashboards: snapshot folders of notebooks purged from the trash (their publication went with
// them) and of unpublished dashboards are removed; publishing again builds a new one.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Queryable } from '../db/types';

export async function purgeUnpublishedSnapshots(db: Queryable, dataDir: string): Promise<number> {
  const root = path.join(dataDir, 'publications');
  const dirs = await readdir(root).catch(() => [] as string[]);
  if (!dirs.length) return 0;
  const live = new Set(
    (
      await db.query<{ notebook_id: string }>(
        `select notebook_id from publications where visibility <> 'off' and notebook_id = any($1::text[])`,
        [dirs]
      )
    ).map((r) => r.notebook_id)
  );
  let removed = 0;
  for (const d of dirs) {
    if (live.has(d)) continue;
    await rm(path.join(root, d), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
