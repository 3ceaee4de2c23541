// Alerts on a published dashboard's number card or query result. Any member may set one; its creator is
// subscribed to it by email (others may subscribe too), an editor may have it posted to the dashboard's chat
// channels as well, and it is checked after each refresh (alert-check.ts).
// The result must be one the dashboard shows as a number or a table (so its values are ones viewers see anyway).
import type { Queryable } from '../db/types';
import { AppError, invalid, notFound } from '../errors';
import { newId, type NotebookId, type UserId } from '../ids';
import { z } from 'zod';
import { parseInput } from '../validate';
import { requireNotebookRole } from '../workspaces/access';
import { atLeast } from '../workspaces/roles';
import { AlertInputSchema, describeRule, type AlertRule, type Op } from './alert-rule';
import { alertTargets } from './alert-targets';
import { currentDashboard } from './current-dashboard';
import { mailConfig } from './mailer';

export const MAX_ALERTS = 20;

export type AlertRow = {
  id: string;
  notebook_id: NotebookId;
  created_by: UserId;
  cell_name: string;
  column_name: string;
  rule: 'threshold' | 'change';
  op: Op | null;
  value: number | null;
  percent: number | null;
  crossed: boolean;
  last_value: number | null;
};

export const ruleOf = (a: AlertRow): AlertRule =>
  a.rule === 'threshold'
    ? { rule: 'threshold', column: a.column_name, op: a.op!, value: Number(a.value) }
    : { rule: 'change', column: a.column_name, percent: Number(a.percent) };

export type AlertView = {
  id: string;
  description: string;
  crossed: boolean;
  mine: boolean;
  subscribed: boolean;
  /** The hosts of the chat channels its notices are posted to. */
  channels: string[];
};

/** Which of the dashboard's chat channels (their subscriptions' ids) an alert is posted to as well. */
const ChannelsSchema = z.object({
  channels: z
    .array(z.string().regex(/^[a-z2-7]{16}$/, 'Pick one of the dashboard’s chat channels.'))
    .max(20)
    .default([])
});

/** The results the dashboard shows as a number or a table (alert-targets.ts), keyed by lower-cased name. */
async function watchable(db: Queryable, dataDir: string, notebookId: NotebookId) {
  const current = await currentDashboard(db, dataDir, notebookId);
  if (!current) throw invalid('Publish the dashboard first: alerts watch its data.');
  return new Map(alertTargets(current.dashboard).map((t) => [t.cell.toLowerCase(), t]));
}

export async function createAlert(
  db: Queryable,
  dataDir: string,
  userId: UserId,
  notebookId: NotebookId,
  input: unknown
): Promise<AlertView> {
  mailConfig();
  const a = parseInput(AlertInputSchema, input);
  const { channels } = parseInput(ChannelsSchema, input);
  const { role } = await requireNotebookRole(db, userId, notebookId, 'viewer');
  // Channels speak to everyone in them: only those who may add a channel may post to one.
  if (channels.length && !atLeast(role, 'editor'))
    throw new AppError('forbidden', 'Only editors can post alerts to chat channels.');
  const linked = channels.length
    ? await db.query<{ id: string; webhook_host: string | null }>(
        `select id, webhook_host from subscriptions
          where notebook_id = $1 and channel = 'webhook' and alert_id is null and id = any($2::text[])`,
        [notebookId, channels]
      )
    : [];
  if (linked.length !== new Set(channels).size)
    throw invalid('That chat channel is not one of this dashboard’s: add it first.');
  const target = (await watchable(db, dataDir, notebookId)).get(a.cell.toLowerCase());
  if (!target)
    throw invalid(`"${a.cell}" is not a number or table on this dashboard.`, {
      cell: 'Pick a number or table card.'
    });
  // A number card shows one column of its first row: an alert on another would mail out a value nobody was shown.
  if (!target.shown.includes(a.column))
    throw invalid(
      `The dashboard shows no column "${a.column}" of ${a.cell}: pick one of ${target.shown.join(', ')}.`,
      {
        column: 'Pick a column the card shows.'
      }
    );
  const [{ n }] = (await db.query<{ n: number }>(
    'select count(*)::int as n from alerts where notebook_id = $1',
    [notebookId]
  )) as [{ n: number }];
  if (n >= MAX_ALERTS) throw invalid(`A dashboard may have at most ${MAX_ALERTS} alerts.`);
  const id = newId();
  await db.query(
    `insert into alerts (id, notebook_id, created_by, cell_name, column_name, rule, op, value, percent)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      notebookId,
      userId,
      a.cell,
      a.column,
      a.rule,
      a.rule === 'threshold' ? a.op : null,
      a.rule === 'threshold' ? a.value : null,
      a.rule === 'change' ? a.percent : null
    ]
  );
  await subscribeToAlert(db, userId, notebookId, id);
  for (const c of linked) {
    await db.query(
      `insert into subscriptions (id, notebook_id, channel, user_id, webhook_host, cadence, alert_id, via_subscription)
       values ($1, $2, 'webhook', $3, $4, 'alert', $5, $6)`,
      [newId(), notebookId, userId, c.webhook_host, id, c.id]
    );
  }
  return (await listAlerts(db, userId, notebookId)).find((x) => x.id === id)!;
}

/** The caller's email subscription to an alert (once). */
export async function subscribeToAlert(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId,
  alertId: string
) {
  mailConfig();
  await requireNotebookRole(db, userId, notebookId, 'viewer');
  const [a] = await db.query('select id from alerts where id = $1 and notebook_id = $2', [
    alertId,
    notebookId
  ]);
  if (!a) throw notFound('That alert');
  await db.query(
    `insert into subscriptions (id, notebook_id, channel, user_id, cadence, alert_id)
     select $1, $2, 'email', $3, 'alert', $4 where not exists
       (select 1 from subscriptions where alert_id = $4 and user_id = $3 and channel = 'email')`,
    [newId(), notebookId, userId, alertId]
  );
}

export async function listAlerts(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId
): Promise<AlertView[]> {
  const { role } = await requireNotebookRole(db, userId, notebookId, 'viewer');
  // Like the list of channels itself, where an alert is posted is for editors to see.
  const editor = atLeast(role, 'editor');
  const rows = await db.query<AlertRow & { subscribed: boolean; channels: string[] | null }>(
    `select a.*,
            exists (select 1 from subscriptions s
                     where s.alert_id = a.id and s.user_id = $2 and s.channel = 'email') as subscribed,
            (select array_agg(coalesce(s.webhook_host, 'webhook') order by s.created_at) from subscriptions s
              where s.alert_id = a.id and s.channel = 'webhook') as channels
       from alerts a where a.notebook_id = $1 order by a.created_at`,
    [notebookId, userId]
  );
  return rows.map((a) => ({
    id: a.id,
    description: describeRule(ruleOf(a), a.cell_name),
    crossed: a.crossed,
    mine: a.created_by === userId,
    subscribed: a.subscribed,
    channels: editor ? (a.channels ?? []) : []
  }));
}

/** Its creator or an editor removes an alert (and with it its subscriptions). */
export async function removeAlert(db: Queryable, userId: UserId, notebookId: NotebookId, alertId: string) {
  const { role } = await requireNotebookRole(db, userId, notebookId, 'viewer');
  const gone = await db.query(
    'delete from alerts where id = $1 and notebook_id = $2 and ($3 or created_by = $4) returning id',
    [alertId, notebookId, atLeast(role, 'editor'), userId]
  );
  if (gone.length === 0) throw notFound('That alert');
}
