// The process-wide login rate limiters (shared by every copy of this module, like the database handle).
import { createLoginLimiters, type LoginLimiters } from './rate-limit';

const KEY = Symbol.for('sheaf.loginLimiters');

export function loginLimiters(): LoginLimiters {
  const g = globalThis as typeof globalThis & { [KEY]?: LoginLimiters };
  g[KEY] ??= createLoginLimiters();
  return g[KEY];
}
