// A person's choice about mail from comments (mentions and replies): on unless they turned it off.
import { z } from 'zod';
import { loadConfig } from '../config';
import type { Queryable } from '../db/types';
import type { UserId } from '../ids';
import { parseInput } from '../validate';
import { emailStatus } from './email-verification';

export type NotificationSettings = {
  mentionEmails: boolean;
  mailConfigured: boolean;
  emailVerified: boolean;
};

export async function notificationSettings(db: Queryable, userId: UserId): Promise<NotificationSettings> {
  const [row] = await db.query<{ mention_emails: boolean }>(
    'select mention_emails from notification_settings where user_id = $1',
    [userId]
  );
  return {
    mentionEmails: row?.mention_emails ?? true,
    mailConfigured: !!loadConfig().mail,
    ...(await emailStatus(db, userId))
  };
}

const SettingsSchema = z.object({ mentionEmails: z.boolean() });

export async function saveNotificationSettings(db: Queryable, userId: UserId, input: unknown) {
  const { mentionEmails } = parseInput(SettingsSchema, input);
  await db.query(
    `insert into notification_settings (user_id, mention_emails) values ($1, $2)
     on conflict (user_id) do update set mention_emails = excluded.mention_emails`,
    [userId, mentionEmails]
  );
  return notificationSettings(db, userId);
}
