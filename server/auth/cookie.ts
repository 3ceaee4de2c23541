// The session cookie: HttpOnly, SameSite=Lax, Secure except on loopback development hosts.
import type { Cookies } from '@sveltejs/kit';
import { SESSION_COOKIE } from './session';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

export function cookieIsSecure(hostname: string, override?: boolean): boolean {
  return override ?? !LOOPBACK.test(hostname);
}

export function setSessionCookie(cookies: Cookies, token: string, expiresAt: Date, secure: boolean): void {
  cookies.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    expires: expiresAt
  });
}

export function clearSessionCookie(cookies: Cookies, secure: boolean): void {
  cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 0 });
}
