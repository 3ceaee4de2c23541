// Sign up and log in.
import type { Db } from '../db/types';
import { AppError } from '../errors';
import { newUserId, type UserId, type WorkspaceId } from '../ids';
import { parseInput } from '../validate';
import { createPersonalWorkspace } from '../workspaces/workspaces';
import { admitLogin } from './login-throttle';
import { burnPasswordCheck, hashPassword, verifyPassword } from './password';
import { networkOf, type LoginLimiters, type RateLimiter } from './rate-limit';
import { LogInSchema, SignUpSchema } from './schemas';
import { createSession, invalidateSession, type SessionUser } from './session';

export type SignedIn = { user: SessionUser; token: string; expiresAt: Date; workspaceId: WorkspaceId };

export async function signUp(
  db: Db,
  input: unknown,
  limit?: { limiter: RateLimiter; ip: string }
): Promise<SignedIn> {
  const { email, name, password } = parseInput(SignUpSchema, input);
  if (limit) {
    const r = await limit.limiter.consume(`signup:${networkOf(limit.ip)}`);
    if (!r.ok) {
      throw new AppError(
        'rate_limited',
        `Many accounts were created from your network just now. Try again in ${r.retryAfterS} s.`,
        { retryAfterS: r.retryAfterS }
      );
    }
  }
  const passwordHash = await hashPassword(password);
  const user: SessionUser = { id: newUserId(), email, name };
  try {
    return await db.transaction(async (tx) => {
      await tx.query('insert into users (id, email, name, password_hash) values ($1, $2, $3, $4)', [
        user.id,
        email,
        name,
        passwordHash
      ]);
      const workspaceId = await createPersonalWorkspace(tx, user);
      const { token, session } = await createSession(tx, user.id);
      return { user, token, expiresAt: session.expiresAt, workspaceId };
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new AppError('conflict', 'An account with that email already exists. Log in instead.', {
        fields: { email: 'An account with that email already exists.' }
      });
    }
    throw e;
  }
}

const WRONG = 'Wrong email or password.';

export async function logIn(
  db: Db,
  limiters: LoginLimiters,
  input: unknown,
  ip: string,
  /** The caller's current session, if any: replaced, so a token planted before login is never promoted. */
  previousSessionId?: string,
  /** The browser's device cookie (see device-cookie.ts), if it sent one. */
  deviceCookie?: string
): Promise<Omit<SignedIn, 'workspaceId'> & { deviceCookie: string }> {
  const { email, password } = parseInput(LogInSchema, input);
  const attempt = await admitLogin(limiters, email, ip, deviceCookie);
  const rows = await db.query<{ id: UserId; email: string; name: string; password_hash: string }>(
    'select id, email, name, password_hash from users where lower(email) = $1',
    [email]
  );
  const row = rows[0];
  if (!row) {
    await burnPasswordCheck(password);
    await attempt.failed();
    throw new AppError('unauthorized', WRONG);
  }
  if (!(await verifyPassword(row.password_hash, password))) {
    await attempt.failed();
    throw new AppError('unauthorized', WRONG);
  }
  await attempt.succeeded();
  if (previousSessionId) await invalidateSession(db, previousSessionId);
  const { token, session } = await createSession(db, row.id);
  return {
    user: { id: row.id, email: row.email, name: row.name },
    token,
    expiresAt: session.expiresAt,
    deviceCookie: limiters.devices.remember(deviceCookie, email)
  };
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && (e as { code: unknown }).code === '23505';
}
