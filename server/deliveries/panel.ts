// What the publish panel's "Deliveries" section shows and does, for its routes to stay thin: whether mail is
// configured, the caller's subscriptions (everyone's for editors), the alerts and what they may watch (the alert
// form's choices), and for editors the delivery log.
import { z } from 'zod';
import { loadConfig } from '../config';
import type { SecretBox } from '../connectors/secret-box';
import type { Queryable } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import { parseInput } from '../validate';
import { requireNotebookRole } from '../workspaces/access';
import { atLeast } from '../workspaces/roles';
import { alertTargets } from './alert-targets';
import { listAlerts, type AlertView } from './alerts';
import { currentDashboard } from './current-dashboard';
import { deliveryLog, type LogEntry } from './delivery-log';
import { emailStatus } from './email-verification';
import {
  listSubscriptions,
  subscribeByEmail,
  subscribeWebhook,
  type SubscriptionView
} from './subscriptions';

export type DeliveriesPanel = {
  mailConfigured: boolean;
  /** Mail reaches the caller only once they have verified their address. */
  emailVerified: boolean;
  canEdit: boolean;
  subscriptions: SubscriptionView[];
  alerts: AlertView[];
  /** The alert form's choices: the published dashboard's number and table results, each with its numeric columns. */
  alertTargets: AlertChoice[];
  /** Editors only. */
  log: LogEntry[] | null;
};

export type AlertChoice = { cell: string; views: ('number' | 'table')[]; columns: string[] };

/** What alerts may watch on the current snapshot (none until published), as the form offers it. */
async function alertChoices(db: Queryable, dataDir: string, notebookId: NotebookId): Promise<AlertChoice[]> {
  const current = await currentDashboard(db, dataDir, notebookId);
  if (!current) return [];
  return alertTargets(current.dashboard)
    .filter((t) => t.numeric.length > 0)
    .map((t) => ({ cell: t.cell, views: t.views, columns: t.numeric }));
}

export async function deliveriesPanel(
  db: Queryable,
  dataDir: string,
  userId: UserId,
  notebookId: NotebookId
): Promise<DeliveriesPanel> {
  const { role } = await requireNotebookRole(db, userId, notebookId, 'viewer');
  const canEdit = atLeast(role, 'editor');
  return {
    mailConfigured: !!loadConfig().mail,
    ...(await emailStatus(db, userId)),
    canEdit,
    subscriptions: await listSubscriptions(db, userId, notebookId),
    alerts: await listAlerts(db, userId, notebookId),
    alertTargets: await alertChoices(db, dataDir, notebookId),
    log: canEdit ? await deliveryLog(db, userId, notebookId) : null
  };
}

const Channel = z.object({ channel: z.enum(['email', 'webhook']) }).passthrough();

/** `{ channel: 'email', … }` subscribes the caller; `{ channel: 'webhook', url, … }` adds a channel (editors). */
export async function subscribe(
  db: Queryable,
  box: SecretBox,
  userId: UserId,
  notebookId: NotebookId,
  body: unknown
) {
  const { channel, ...rest } = parseInput(Channel, body);
  return channel === 'email'
    ? subscribeByEmail(db, userId, notebookId, rest)
    : subscribeWebhook(db, box, userId, notebookId, rest);
}
