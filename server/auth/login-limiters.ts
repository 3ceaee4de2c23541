// The process-wide login and sign-up rate limiters (shared by every copy of this module, like the database handle).
import { createLoginLimiters, createSignupLimiter, type LoginLimiters, type RateLimiter } from './rate-limit';

const KEY = Symbol.for('sheaf.loginLimiters');

export function loginLimiters(): LoginLimiters {
  const g = globalThis as typeof globalThis & { [KEY]?: LoginLimiters };
  g[KEY] ??= createLoginLimiters();
  return g[KEY];
}

const SIGNUP = Symbol.for('sheaf.signupLimiter');

export function signupLimiter(): RateLimiter {
  const g = globalThis as typeof globalThis & { [SIGNUP]?: RateLimiter };
  g[SIGNUP] ??= createSignupLimiter();
  return g[SIGNUP];
}
