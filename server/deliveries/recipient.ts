// Who an outbox row goes to, decided when it is sent, not when it was queued: a subscription deleted since
// (unsubscribed) or a person removed from the notebook's workspace gets nothing, at once. Mail goes only to
// verified addresses, except the verification link itself (email-verification.ts). Webhook URLs are opened from
// their sealed form only here.
import type { SecretBox } from '../connectors/secret-box';
import type { Queryable } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import type { Content } from './content';
import type { OutboxRow } from './outbox';

export type Recipient =
  | { channel: 'email'; address: string; userId: UserId; subscriptionId: string | null; label: string }
  | { channel: 'webhook'; url: string; subscriptionId: string; label: string };

export type Resolved = { recipient: Recipient } | { dropped: string; label: string };

type SubscriptionRow = {
  id: string;
  channel: 'email' | 'webhook';
  user_id: UserId;
  webhook_sealed: string | null;
  webhook_host: string | null;
};

type Member = { email: string; verified: boolean };

/** The email of `userId` if they are still a member of the workspace of `notebookId`. */
async function member(db: Queryable, userId: UserId, notebookId: NotebookId | null): Promise<Member | null> {
  const rows = await db.query<Member>(
    notebookId
      ? `select u.email, u.email_verified_at is not null as verified from users u join notebooks n on n.id = $2
           join memberships m on m.workspace_id = n.workspace_id and m.user_id = u.id where u.id = $1`
      : 'select email, email_verified_at is not null as verified from users where id = $1',
    notebookId ? [userId, notebookId] : [userId]
  );
  return rows[0] ?? null;
}

const UNVERIFIED = 'The address is not verified yet: its owner can ask for a link in Sheaf.';

export async function resolveRecipient(
  db: Queryable,
  box: SecretBox,
  row: OutboxRow,
  content: Content
): Promise<Resolved> {
  if (row.subscription_id) {
    // An alert posted to a channel reads the channel's sealed URL (sealed under the channel's id).
    const [s] = await db.query<SubscriptionRow & { sealed_as: string }>(
      `select s.id, s.channel, s.user_id, coalesce(c.webhook_sealed, s.webhook_sealed) as webhook_sealed,
              s.webhook_host, coalesce(c.id, s.id) as sealed_as
         from subscriptions s left join subscriptions c on c.id = s.via_subscription where s.id = $1`,
      [row.subscription_id]
    );
    if (!s) return { dropped: 'The subscription was removed.', label: 'a removed subscription' };
    if (s.channel === 'webhook') {
      const label = `webhook ${s.webhook_host ?? ''}`.trim();
      // The editor who added it must still be one of the workspace's members: a channel outlives nobody's access.
      if (!(await member(db, s.user_id, row.notebook_id)))
        return { dropped: 'Whoever added this webhook is no longer a member.', label };
      return {
        recipient: {
          channel: 'webhook',
          url: box.open(s.webhook_sealed!, s.sealed_as),
          subscriptionId: s.id,
          label
        }
      };
    }
    const m = await member(db, s.user_id, row.notebook_id);
    if (!m)
      return { dropped: 'The subscriber is no longer a member of the workspace.', label: 'a former member' };
    if (!m.verified) return { dropped: UNVERIFIED, label: m.email };
    return {
      recipient: {
        channel: 'email',
        address: m.email,
        userId: s.user_id,
        subscriptionId: s.id,
        label: m.email
      }
    };
  }
  const m = row.user_id ? await member(db, row.user_id, row.notebook_id) : null;
  if (!m)
    return { dropped: 'The recipient is no longer a member of the workspace.', label: 'a former member' };
  if (!m.verified && content.type !== 'verify-email') return { dropped: UNVERIFIED, label: m.email };
  return {
    recipient: {
      channel: 'email',
      address: m.email,
      userId: row.user_id!,
      subscriptionId: null,
      label: m.email
    }
  };
}
