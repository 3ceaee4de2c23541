// Sessions as in Lucia's guide: random token in the cookie, its SHA-256 in the database, sliding 30-day expiry.
import type { Queryable } from '../db/types';
import { hashToken, newToken, type UserId } from '../ids';

export const SESSION_COOKIE = 'sheaf_session';
const DAY = 24 * 60 * 60 * 1000;
export const SESSION_TTL_MS = 30 * DAY;
/** A session used within this long of expiring is extended back to the full TTL. */
const RENEW_WITHIN_MS = 15 * DAY;

export type Session = { id: string; userId: UserId; expiresAt: Date };
export type SessionUser = { id: UserId; email: string; name: string };
export type SessionValidation =
  { session: Session; user: SessionUser; renewed: boolean } | { session: null; user: null; renewed: false };

export async function createSession(
  db: Queryable,
  userId: UserId,
  now = new Date()
): Promise<{ token: string; session: Session }> {
  const token = newToken();
  const session: Session = {
    id: hashToken(token),
    userId,
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS)
  };
  await db.query('insert into sessions (id, user_id, expires_at) values ($1, $2, $3)', [
    session.id,
    session.userId,
    session.expiresAt
  ]);
  return { token, session };
}

export async function validateSessionToken(
  db: Queryable,
  token: string,
  now = new Date()
): Promise<SessionValidation> {
  const none = { session: null, user: null, renewed: false } as const;
  if (!/^[a-z2-7]{32}$/.test(token)) return none;
  const id = hashToken(token);
  const rows = await db.query<{
    user_id: UserId;
    expires_at: Date;
    email: string;
    name: string;
  }>(
    `select s.user_id, s.expires_at, u.email, u.name
       from sessions s join users u on u.id = s.user_id
      where s.id = $1`,
    [id]
  );
  const row = rows[0];
  if (!row) return none;
  const expiresAt = new Date(row.expires_at);
  if (now.getTime() >= expiresAt.getTime()) {
    await db.query('delete from sessions where id = $1', [id]);
    return none;
  }
  const session: Session = { id, userId: row.user_id, expiresAt };
  let renewed = false;
  if (expiresAt.getTime() - now.getTime() < RENEW_WITHIN_MS) {
    session.expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await db.query('update sessions set expires_at = $2 where id = $1', [id, session.expiresAt]);
    renewed = true;
  }
  return { session, user: { id: row.user_id, email: row.email, name: row.name }, renewed };
}

export async function invalidateSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query('delete from sessions where id = $1', [sessionId]);
}

export async function deleteExpiredSessions(db: Queryable, now = new Date()): Promise<void> {
  await db.query('delete from sessions where expires_at <= $1', [now]);
}
