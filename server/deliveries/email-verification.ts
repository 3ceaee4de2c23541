// Proof that people read the address they signed up with, before Sheaf mails it anything else: anyone can sign up
// with someone else's address, and subscriptions and mentions would then mail that person. A person asks for a
// link (queued in the outbox like any mail, a few per hour at most); opening it marks the address verified.
// The link carries the user id, an expiry and an HMAC of both with the address, under a key derived from the one
// that signs unsubscribe links (itself derived from SECRET_KEY): valid on every server, after restarts, for that
// address only, and nobody can make one for someone else.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { loadConfig } from '../config';
import type { Queryable } from '../db/types';
import { AppError, invalid } from '../errors';
import type { UserId } from '../ids';
import { mailNotConfigured } from './mailer';
import { enqueue } from './outbox';
import { unsubscribeKey } from './unsubscribe-token';

/** How long a link works: long enough for a weekend, short enough that an old mailbox is not a key. */
export const LINK_HOURS = 48;
/** Links asked for per person per hour: enough to retry, too few to mail-bomb someone with. */
export const REQUESTS_PER_HOUR = 3;

const verificationKey = (key: Uint8Array) =>
  createHmac('sha256', key).update('sheaf verify email v1').digest();

const mac = (key: Uint8Array, userId: string, expires: string, email: string) =>
  createHmac('sha256', verificationKey(key))
    .update(`${userId}\n${expires}\n${email.toLowerCase()}`)
    .digest('base64url');

/** The path part of a link that verifies `email` for `userId` until `expires`. */
export function verificationToken(
  userId: UserId,
  email: string,
  expires: Date,
  key: Uint8Array = unsubscribeKey()
): string {
  const x = Math.floor(expires.getTime() / 1000).toString(36);
  return `${userId}.${x}.${mac(key, userId, x, email)}`;
}

export type EmailStatus = { emailVerified: boolean };

export async function emailStatus(db: Queryable, userId: UserId): Promise<EmailStatus> {
  const [u] = await db.query<{ verified: boolean }>(
    'select email_verified_at is not null as verified from users where id = $1',
    [userId]
  );
  return { emailVerified: !!u?.verified };
}

/**
 * Queues a verification mail to the person's own address. Refused when mail is off, and past REQUESTS_PER_HOUR
 * (counted in the outbox, so the limit holds across servers).
 */
export async function requestVerification(db: Queryable, userId: UserId): Promise<{ sent: boolean }> {
  if (!loadConfig().mail) throw mailNotConfigured();
  if ((await emailStatus(db, userId)).emailVerified) return { sent: false };
  const [recent] = await db.query<{ n: number }>(
    `select count(*)::int as n from delivery_outbox
      where user_id = $1 and content->>'type' = 'verify-email' and created_at > now() - interval '1 hour'`,
    [userId]
  );
  if ((recent?.n ?? 0) >= REQUESTS_PER_HOUR)
    throw new AppError(
      'rate_limited',
      'Several links were sent in the last hour: use the latest one, or try later.'
    );
  await enqueue(db, [{ notebookId: null, userId, content: { type: 'verify-email' } }]);
  return { sent: true };
}

/** Marks the address in a link verified; says what went wrong in words otherwise. */
export async function confirmEmail(
  db: Queryable,
  token: string,
  key: Uint8Array = unsubscribeKey(),
  now = new Date()
): Promise<{ email: string }> {
  const m = /^([a-z2-7]{16})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{43})$/.exec(token);
  const broken = () => invalid('This verification link is not valid: ask for a new one in Sheaf.');
  if (!m) throw broken();
  const [, userId, x, got] = m as unknown as [string, UserId, string, string];
  const [u] = await db.query<{ email: string }>('select email from users where id = $1', [userId]);
  if (!u) throw broken();
  const want = Buffer.from(mac(key, userId, x, u.email));
  if (!timingSafeEqual(want, Buffer.from(got))) throw broken();
  if (parseInt(x, 36) * 1000 < now.getTime())
    throw invalid('This verification link has expired: ask for a new one in Sheaf.');
  await db.query('update users set email_verified_at = coalesce(email_verified_at, $2) where id = $1', [
    userId,
    now
  ]);
  return { email: u.email };
}
