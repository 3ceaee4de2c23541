// Forking from a published dashboard: a signed-in viewer copies the notebook as it was published (the frozen
// document, not later edits) into a workspace they edit — when they are a member, or the author allowed it on a
// public dashboard.
import type { Db } from '../db/types';
import { copyNotebook } from '../notebooks/fork';
import { forkableDashboard } from './publications';

export async function forkDashboard(
  db: Db,
  dataDir: string,
  userId: string,
  slug: string,
  input: unknown
): Promise<{ id: string; title: string }> {
  const source = await forkableDashboard(db, slug, userId);
  const [row] = await db.query<{ title: string }>('select title from notebooks where id = $1', [
    source.notebookId
  ]);
  return copyNotebook(
    db,
    dataDir,
    userId,
    { id: source.notebookId, workspaceId: source.workspaceId, title: row?.title ?? 'Dashboard' },
    source.docState,
    input
  );
}
