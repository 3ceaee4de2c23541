// The outbox: every outgoing message is a row here first, so nothing is lost when the mail server or a webhook is
// down or the process stops. Rows are claimed with `for update skip locked` and a lease (`claimed_until`), so
// several servers share the work and each row is sent by one of them; a server that dies mid-send leaves a lease
// that runs out, and the row is tried again. Attempts are bounded, with exponential backoff between them; each
// attempt's outcome is written to delivery_log (delivery-log.ts reads it for editors).
import type { Db, Queryable } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import { type Content } from './content';

/** Attempts before a message is given up (logged as failed). */
export const MAX_ATTEMPTS = 6;
/** How long a claimed row is ours; a send takes at most a minute (mailer.ts), so this leaves room. */
export const LEASE_MS = 5 * 60_000;

export type OutboxRow = {
  id: string;
  notebook_id: NotebookId | null;
  subscription_id: string | null;
  user_id: UserId | null;
  content: unknown;
  attempts: number;
};

export type NewDelivery = {
  notebookId: NotebookId | null;
  subscriptionId?: string;
  userId?: UserId;
  content: Content;
};

export async function enqueue(db: Queryable, deliveries: NewDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  // One statement for the lot ($1 is the rows as JSON text: postgres.js would send a string for jsonb quoted).
  await db.query(
    `insert into delivery_outbox (notebook_id, subscription_id, user_id, content)
     select d->>'notebookId', d->>'subscriptionId', d->>'userId', d->'content'
       from jsonb_array_elements($1::text::jsonb) d`,
    [JSON.stringify(deliveries)]
  );
}

/** Due rows for this server, each counted as one more attempt. */
export async function claimDue(db: Db, limit: number, now = new Date()): Promise<OutboxRow[]> {
  return db.query<OutboxRow>(
    `update delivery_outbox o set attempts = o.attempts + 1, claimed_until = $2
      where o.id in (select id from delivery_outbox
                      where status = 'pending' and next_attempt_at <= $1
                        and (claimed_until is null or claimed_until <= $1)
                      order by next_attempt_at, id limit $3 for update skip locked)
      returning o.id::text as id, o.notebook_id, o.subscription_id, o.user_id, o.content, o.attempts`,
    [now, new Date(now.getTime() + LEASE_MS), limit]
  );
}

/** Base of the backoff: the first retry waits this long, each later one twice as long as the one before. */
export const backoffMs = (attempts: number, baseMs: number) =>
  Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 6 * 3600_000);

export type Outcome =
  { kind: 'sent' } | { kind: 'dropped'; reason: string } | { kind: 'failed'; reason: string; retry: boolean };

/** Records what an attempt did: sent, dropped (nobody to send to any more), retried later, or failed for good. */
export async function finish(
  db: Queryable,
  row: OutboxRow,
  outcome: Outcome,
  label: { recipient: string; what: string },
  opts: { now?: Date; retryBaseMs: number }
): Promise<void> {
  const now = opts.now ?? new Date();
  const retry = outcome.kind === 'failed' && outcome.retry && row.attempts < MAX_ATTEMPTS;
  const status =
    outcome.kind === 'sent' ? 'sent' : outcome.kind === 'dropped' ? 'dropped' : retry ? 'pending' : 'failed';
  const next = new Date(now.getTime() + backoffMs(row.attempts, opts.retryBaseMs));
  await db.query(
    `update delivery_outbox set status = $2, claimed_until = null, next_attempt_at = $3 where id = $1::bigint`,
    [row.id, status, next]
  );
  const logged =
    outcome.kind === 'sent' ? 'sent' : outcome.kind === 'dropped' ? 'dropped' : retry ? 'retried' : 'failed';
  await db.query(
    `insert into delivery_log (outbox_id, notebook_id, at, outcome, recipient, what, reason)
     values ((select id from delivery_outbox where id = $1::bigint), $2, $3, $4, $5, $6, $7)`,
    [
      row.id,
      row.notebook_id,
      now,
      logged,
      label.recipient,
      label.what,
      'reason' in outcome ? outcome.reason.slice(0, 1000) : null
    ]
  );
}
