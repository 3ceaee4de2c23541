// What the publish panel's "Deliveries" section shows and does, for its routes to stay thin: whether mail is
// configured, the caller's subscriptions (everyone's for editors), the alerts, and for editors the delivery log.
import { z } from 'zod';
import { loadConfig } from '../config';
import type { SecretBox } from '../connectors/secret-box';
import type { Queryable } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import { parseInput } from '../validate';
import { requireNotebookRole } from '../workspaces/access';
import { atLeast } from '../workspaces/roles';
import { listAlerts, type AlertView } from './alerts';
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
  /** Editors only. */
  log: LogEntry[] | null;
};

export async function deliveriesPanel(
  db: Queryable,
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
