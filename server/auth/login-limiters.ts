// The process-wide login and sign-up rate limiters (shared by every copy of this module, like the database handle).
import { createHmac, randomBytes } from 'node:crypto';
import { loadConfig } from '../config';
import { loadSecretKey } from '../connectors/secret-box';
import { createLoginLimiters, createSignupLimiter, type LoginLimiters, type RateLimiter } from './rate-limit';

const KEY = Symbol.for('sheaf.loginLimiters');

export function loginLimiters(): LoginLimiters {
  const g = globalThis as typeof globalThis & { [KEY]?: LoginLimiters };
  g[KEY] ??= createLoginLimiters(undefined, deviceCookieKey());
  return g[KEY];
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

const SIGNUP = Symbol.for('sheaf.signupLimiter');

export function signupLimiter(): RateLimiter {
  const g = globalThis as typeof globalThis & { [SIGNUP]?: RateLimiter };
  g[SIGNUP] ??= createSignupLimiter();
  return g[SIGNUP];
}
