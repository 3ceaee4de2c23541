// Who is asking, for handlers that run outside SvelteKit (WebSocket upgrades, uploads, file reads).
import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE, validateSessionToken, type SessionUser } from '../auth/session';
import type { Queryable } from '../db/types';

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export async function userOf(db: Queryable, req: IncomingMessage): Promise<SessionUser | null> {
  const token = cookieValue(req, SESSION_COOKIE);
  if (!token) return null;
  return (await validateSessionToken(db, token)).user;
}

/** A page on another site must not act with our user's cookies. Requests without Origin are not from browsers. */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
