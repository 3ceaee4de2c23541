// A scheduled refresh that fails tells the dashboard's editors (editors and owners of its workspace, at send
// time) once; again only when it works again, or when it is still failing a day after the last notice. The
// publication's `failure_notified_at` is the state, changed by conditional updates so one notice goes out per
// event even with several servers.
import type { Queryable } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import { enqueue } from './outbox';

async function editors(db: Queryable, notebookId: NotebookId): Promise<UserId[]> {
  const rows = await db.query<{ user_id: UserId }>(
    `select m.user_id from notebooks n join memberships m on m.workspace_id = n.workspace_id
      where n.id = $1 and m.role in ('editor', 'owner')`,
    [notebookId]
  );
  return rows.map((r) => r.user_id);
}

export async function noticeRefreshFailed(
  db: Queryable,
  notebookId: NotebookId,
  message: string,
  now = new Date()
) {
  const won = await db.query(
    `update publications set failure_notified_at = $2 where notebook_id = $1
        and (failure_notified_at is null or failure_notified_at <= $2::timestamptz - interval '1 day') returning notebook_id`,
    [notebookId, now]
  );
  if (won.length === 0) return 0;
  const to = await editors(db, notebookId);
  await enqueue(
    db,
    to.map((userId) => ({ notebookId, userId, content: { type: 'refresh-failed' as const, message } }))
  );
  return to.length;
}

export async function noticeRefreshRecovered(db: Queryable, notebookId: NotebookId) {
  const won = await db.query(
    `update publications set failure_notified_at = null where notebook_id = $1 and failure_notified_at is not null
      returning notebook_id`,
    [notebookId]
  );
  if (won.length === 0) return 0;
  const to = await editors(db, notebookId);
  await enqueue(
    db,
    to.map((userId) => ({ notebookId, userId, content: { type: 'refresh-recovered' as const } }))
  );
  return to.length;
}
