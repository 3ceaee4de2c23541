// Subscriptions to a published dashboard: a member subscribes themselves by email, an editor adds a chat channel
// (webhook). Mail must be configured for email ones, and the dashboard published. Members see their own
// subscription; editors see every one of the dashboard's (subscribers' names, webhooks' hosts — never a webhook's
// URL again once stored, sealed). Removing is for the subscriber, or any editor.
import { z } from 'zod';
import { EmailSchema } from '../auth/schemas';
import type { SecretBox } from '../connectors/secret-box';
import type { Queryable } from '../db/types';
import { invalid, notFound } from '../errors';
import { newId, type NotebookId, type UserId } from '../ids';
import { parseInput } from '../validate';
import { requireNotebookRole } from '../workspaces/access';
import { atLeast } from '../workspaces/roles';
import { nextLocalTime } from './local-time';
import { mailConfig } from './mailer';
import {
  EmailSubscriptionSchema,
  WebhookSubscriptionSchema,
  whenColumns,
  type When
} from './subscription-input';
import { webhookHost } from './webhook-url';

/** Channels one dashboard may post to. */
export const MAX_WEBHOOKS = 20;

export type SubscriptionView = {
  id: string;
  channel: 'email' | 'webhook';
  /** The subscriber's name, or the webhook's host. */
  who: string;
  cadence: 'refresh' | 'daily' | 'weekly' | 'alert';
  minuteOfDay: number | null;
  weekday: number | null;
  timeZone: string | null;
  mine: boolean;
};

async function publishedNotebook(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId,
  role: 'viewer' | 'editor',
  when: When
) {
  const access = await requireNotebookRole(db, userId, notebookId, role);
  const [p] = await db.query<{ visibility: string; schedule: string }>(
    'select visibility, schedule from publications where notebook_id = $1',
    [notebookId]
  );
  if (!p || p.visibility === 'off')
    throw invalid('Publish the dashboard first: subscriptions deliver the published dashboard.');
  // It would never be sent: refreshes by hand do not deliver (see after-refresh.ts).
  if (when.cadence === 'refresh' && p.schedule === 'off')
    throw invalid(
      'This dashboard refreshes only when someone asks: choose every day or every week, or set a refresh schedule.'
    );
  return access;
}

async function insert(
  db: Queryable,
  s: {
    id: string;
    notebookId: NotebookId;
    channel: 'email' | 'webhook';
    userId: UserId;
    sealed?: string;
    host?: string;
    when: When;
    alertId?: string;
  }
) {
  const w = whenColumns(s.when);
  const next =
    w.minuteOfDay === null
      ? null
      : nextLocalTime({ minuteOfDay: w.minuteOfDay, weekday: w.weekday, timeZone: w.timeZone! });
  await db.query(
    `insert into subscriptions (id, notebook_id, channel, user_id, webhook_sealed, webhook_host, cadence, minute_of_day,
                                weekday, time_zone, next_at, alert_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      s.id,
      s.notebookId,
      s.channel,
      s.userId,
      s.sealed ?? null,
      s.host ?? null,
      s.alertId ? 'alert' : w.cadence,
      w.minuteOfDay,
      w.weekday,
      w.timeZone,
      next,
      s.alertId ?? null
    ]
  );
}

/** Subscribes the caller by email (replacing their earlier choice of when). */
export async function subscribeByEmail(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId,
  input: unknown
): Promise<SubscriptionView> {
  mailConfig();
  const when = parseInput(EmailSubscriptionSchema, input);
  await publishedNotebook(db, userId, notebookId, 'viewer', when);
  const [u] = await db.query<{ email: string }>('select email from users where id = $1', [userId]);
  if (!EmailSchema.safeParse(u?.email).success)
    throw invalid('Your account’s email address cannot receive mail.');
  await db.query(
    `delete from subscriptions where notebook_id = $1 and user_id = $2 and channel = 'email' and alert_id is null`,
    [notebookId, userId]
  );
  const id = newId();
  await insert(db, { id, notebookId, channel: 'email', userId, when });
  return (await listSubscriptions(db, userId, notebookId)).find((s) => s.id === id)!;
}

/** An editor adds a chat channel; its URL is sealed under SECRET_KEY, bound to the new row. */
export async function subscribeWebhook(
  db: Queryable,
  box: SecretBox,
  userId: UserId,
  notebookId: NotebookId,
  input: unknown
): Promise<SubscriptionView> {
  const parsed = parseInput(WebhookSubscriptionSchema, input);
  await publishedNotebook(db, userId, notebookId, 'editor', parsed);
  const [{ n }] = (await db.query<{ n: number }>(
    `select count(*)::int as n from subscriptions where notebook_id = $1 and channel = 'webhook'`,
    [notebookId]
  )) as [{ n: number }];
  if (n >= MAX_WEBHOOKS) throw invalid(`A dashboard may post to at most ${MAX_WEBHOOKS} channels.`);
  const id = newId();
  await insert(db, {
    id,
    notebookId,
    channel: 'webhook',
    userId,
    sealed: box.seal(parsed.url, id),
    host: webhookHost(parsed.url),
    when: parsed
  });
  return (await listSubscriptions(db, userId, notebookId)).find((s) => s.id === id)!;
}

/** The caller's own subscriptions, and for editors everyone's. */
export async function listSubscriptions(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId
): Promise<SubscriptionView[]> {
  const { role } = await requireNotebookRole(db, userId, notebookId, 'viewer');
  const editor = atLeast(role, 'editor');
  const rows = await db.query<{
    id: string;
    channel: 'email' | 'webhook';
    user_id: UserId;
    name: string;
    webhook_host: string | null;
    cadence: SubscriptionView['cadence'];
    minute_of_day: number | null;
    weekday: number | null;
    time_zone: string | null;
  }>(
    `select s.id, s.channel, s.user_id, u.name, s.webhook_host, s.cadence, s.minute_of_day, s.weekday, s.time_zone
       from subscriptions s join users u on u.id = s.user_id
      where s.notebook_id = $1 and ($2 or s.user_id = $3) and s.via_subscription is null
      order by s.created_at`,
    [notebookId, editor, userId]
  );
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    who: r.channel === 'webhook' ? (r.webhook_host ?? 'webhook') : r.name,
    cadence: r.cadence,
    minuteOfDay: r.minute_of_day,
    weekday: r.weekday,
    timeZone: r.time_zone,
    mine: r.user_id === userId
  }));
}

const IdSchema = z.string().regex(/^[a-z2-7]{16}$/);

/** Removes a subscription: the subscriber's own, or any of the dashboard's for its editors. */
export async function removeSubscription(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId,
  id: unknown
): Promise<void> {
  const parsed = IdSchema.safeParse(id);
  if (!parsed.success) throw notFound('That subscription');
  const { role } = await requireNotebookRole(db, userId, notebookId, 'viewer');
  const gone = await db.query(
    `delete from subscriptions where id = $1 and notebook_id = $2 and ($3 or user_id = $4) returning id`,
    [parsed.data, notebookId, atLeast(role, 'editor'), userId]
  );
  if (gone.length === 0) throw notFound('That subscription');
}

/** The unsubscribe link's POST: no login, the signed token is the proof. Idempotent. */
export async function removeByToken(db: Queryable, subscriptionId: string): Promise<void> {
  await db.query('delete from subscriptions where id = $1', [subscriptionId]);
}
