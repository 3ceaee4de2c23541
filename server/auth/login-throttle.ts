// Which login attempts may go ahead, and what each outcome counts against. The limits themselves and why they
// are shaped this way are in rate-limit.ts (LoginLimiters); device cookies in device-cookie.ts.
import { AppError } from '../errors';
import { networkOf, type LimitResult, type LoginLimiters } from './rate-limit';

export type LoginAttempt = {
  /** Whether this browser showed a valid device cookie for the account (and has not used up its own budget). */
  trusted: boolean;
  failed(): Promise<void>;
  succeeded(): Promise<void>;
};

function refuse(r: LimitResult, message: (s: number) => string): void {
  if (r.ok) return;
  throw new AppError('rate_limited', message(r.retryAfterS), { retryAfterS: r.retryAfterS });
}

const tooMany = (s: number) => `Too many login attempts. Try again in ${s} s.`;

/**
 * Admits an attempt to log in as `email` from `ip`, or throws a rate_limited AppError saying when to retry.
 * Keys use the email as typed (lower-cased), whether or not such an account exists, so limits do not reveal
 * which accounts are real.
 */
export async function admitLogin(
  limiters: LoginLimiters,
  email: string,
  ip: string,
  deviceCookie: string | undefined
): Promise<LoginAttempt> {
  const nonce = limiters.devices.trustedNonce(deviceCookie, email);
  // A trusted browser skips every shared limit; its own budget is what stops a stolen cookie from guessing on.
  if (nonce && (await limiters.byDevice.consume(`device:${nonce}`)).ok) {
    return {
      trusted: true,
      async failed() {},
      succeeded: () => limiters.byDevice.reset(`device:${nonce}`)
    };
  }
  const net = networkOf(ip);
  const here = `account:${email}|net:${net}`;
  refuse(await limiters.byAddress.consume(`net:${net}`), tooMany);
  refuse(await limiters.byAccountAddress.consume(here), tooMany);
  // Counted on failures only: the owner logging in from new places must not use up the account's allowance.
  refuse(
    await limiters.byAccount.peek(`account:${email}`),
    (s) =>
      `Too many login attempts for this account just now. Try again in ${s} s, ` +
      `or log in from a browser you have logged in with before.`
  );
  return {
    trusted: false,
    failed: async () => void (await limiters.byAccount.consume(`account:${email}`)),
    succeeded: () => limiters.byAccountAddress.reset(here)
  };
}
