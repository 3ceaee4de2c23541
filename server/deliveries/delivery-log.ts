// A dashboard's delivery log for its editors: each attempt, newest first — sent, retried (and why), failed for
// good (and why), or dropped (the recipient had left or unsubscribed). Recipients are shown as the log wrote them:
// an address, or a webhook's host (never its secret path).
import type { Queryable } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import { requireNotebookRole } from '../workspaces/access';

export const LOG_SIZE = 100;

export type LogEntry = {
  at: string;
  outcome: 'sent' | 'retried' | 'failed' | 'dropped';
  recipient: string;
  what: string;
  reason: string | null;
};

export async function deliveryLog(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId
): Promise<LogEntry[]> {
  await requireNotebookRole(db, userId, notebookId, 'editor');
  const rows = await db.query<{
    at: Date;
    outcome: LogEntry['outcome'];
    recipient: string;
    what: string;
    reason: string | null;
  }>(
    `select at, outcome, recipient, what, reason from delivery_log where notebook_id = $1
      order by at desc, id desc limit ${LOG_SIZE}`,
    [notebookId]
  );
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}
