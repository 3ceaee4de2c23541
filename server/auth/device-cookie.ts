// Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): after a successful login the
// browser gets a signed token bound to that account's email; attempts carrying one are trusted, so a stranger
// hammering the account cannot lock out a browser that has logged in before.
//
// Why a cookie and not "addresses this account has logged in from": an address is shared by everyone behind
// the same NAT, office or mobile carrier, so trusting it would trust the attacker next door too, and it changes
// when the owner moves. A cookie belongs to one browser and is worthless to anyone who cannot read it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Cookies } from '@sveltejs/kit';

export const DEVICE_COOKIE = 'sheaf_device';
/** A browser shared by several people keeps a token per account, newest first, up to this many. */
const MAX_TOKENS = 5;
const MAX_AGE_S = 180 * 24 * 3600;
const TOKEN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

export type DeviceCookies = {
  /** The nonce of the token in `cookie` that was issued for `email`, or null: a valid token means trusted. */
  trustedNonce(cookie: string | undefined, email: string): string | null;
  /** The cookie value after a successful login as `email`: a fresh token for it first, the others kept. */
  remember(cookie: string | undefined, email: string): string;
};

export function deviceCookies(key: Uint8Array): DeviceCookies {
  if (key.length < 32) throw new Error('The device-cookie key must be at least 32 bytes.');
  const sign = (email: string, nonce: string) =>
    createHmac('sha256', key).update(`sheaf-device-v1\n${email}\n${nonce}`).digest('base64url');
  const tokens = (cookie: string | undefined) =>
    (cookie ?? '')
      .split('~')
      .filter((t) => TOKEN.test(t))
      .slice(0, MAX_TOKENS);
  const matches = (token: string, email: string) => {
    const [nonce = '', sig = ''] = token.split('.');
    return timingSafeEqual(Buffer.from(sig), Buffer.from(sign(email, nonce))) ? nonce : null;
  };
  return {
    trustedNonce(cookie, email) {
      for (const t of tokens(cookie)) {
        const nonce = matches(t, email);
        if (nonce) return nonce;
      }
      return null;
    },
    remember(cookie, email) {
      const nonce = randomBytes(16).toString('base64url');
      const others = tokens(cookie).filter((t) => !matches(t, email));
      return [`${nonce}.${sign(email, nonce)}`, ...others].slice(0, MAX_TOKENS).join('~');
    }
  };
}

/** Path /login: the cookie is read only when logging in, so it travels nowhere else. */
export function setDeviceCookie(cookies: Cookies, value: string, secure: boolean): void {
  cookies.set(DEVICE_COOKIE, value, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/login',
    maxAge: MAX_AGE_S
  });
}
