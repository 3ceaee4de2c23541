// The app's login and sign-up rate limiters: buckets in the database (rate-limit.ts), so every app process counts
// against the same ones; only the device-cookie key is kept per process (derived from SECRET_KEY, so the same on all).
import { createHmac, randomBytes } from 'node:crypto';
import { loadConfig } from '../config';
import { loadSecretKey } from '../connectors/secret-box';
import type { Queryable } from '../db/types';
import { createLoginLimiters, createSignupLimiter, type LoginLimiters, type RateLimiter } from './rate-limit';

const KEY = Symbol.for('sheaf.deviceCookieKey');

export function loginLimiters(db: Queryable): LoginLimiters {
  const g = globalThis as typeof globalThis & { [KEY]?: Uint8Array };
  g[KEY] ??= deviceCookieKey();
  return createLoginLimiters(db, undefined, g[KEY]);
}

/**
 * Device cookies are signed with a key derived from SECRET_KEY, so they survive restarts and are valid on every
 * app node. Without a usable SECRET_KEY logins must still work: a per-process key then makes browsers re-earn
 * trust after a restart, which costs nothing but a few more limits in the meantime.
 */
function deviceCookieKey(): Uint8Array {
  try {
    const secret = loadSecretKey(loadConfig());
    return createHmac('sha256', secret).update('sheaf device cookies v1').digest();
  } catch (e) {
    console.warn(`Device cookies use a per-process key: ${e instanceof Error ? e.message : String(e)}`);
    return randomBytes(32);
  }
}

export function signupLimiter(db: Queryable): RateLimiter {
  return createSignupLimiter(db);
}
