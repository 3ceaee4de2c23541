// The unsubscribe link in every subscription email works without logging in: it carries the subscription's id
// and an HMAC of it under a key derived from SECRET_KEY (as device cookies are, server/auth/login-limiters.ts), so
// it is valid on every server and after restarts, and nobody can make one for someone else's subscription.
// Subscription ids are never reused, so a token needs no expiry: once the row is gone it unsubscribes nothing.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { loadConfig } from '../config';
import { loadSecretKey } from '../connectors/secret-box';

const PURPOSE = 'sheaf unsubscribe v1';

export function unsubscribeKey(secret: Uint8Array = loadSecretKey(loadConfig())): Buffer {
  return createHmac('sha256', secret).update(PURPOSE).digest();
}

const mac = (key: Uint8Array, id: string) => createHmac('sha256', key).update(id).digest('base64url');

export function unsubscribeToken(subscriptionId: string, key: Uint8Array = unsubscribeKey()): string {
  return `${subscriptionId}.${mac(key, subscriptionId)}`;
}

/** The subscription id a token was made for, or null for anything we did not sign. */
export function readUnsubscribeToken(token: string, key: Uint8Array = unsubscribeKey()): string | null {
  const m = /^([a-z2-7]{16})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  const want = Buffer.from(mac(key, m[1]!));
  const got = Buffer.from(m[2]!);
  return want.length === got.length && timingSafeEqual(want, got) ? m[1]! : null;
}
