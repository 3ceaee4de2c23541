// Random identifiers and secrets.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

function randomBase32(bytes: number): string {
  const b = new Uint8Array(bytes);
  crypto.getRandomValues(b);
  return encodeBase32LowerCaseNoPadding(b);
}

/** Public ids in URLs: 16 base32 characters (80 bits). */
export const newId = (): string => randomBase32(10);

/** Bearer secrets (session tokens, invite links): 160 bits, as Lucia's guide suggests. */
export const newToken = (): string => randomBase32(20);

/** What we store instead of a token. */
export const hashToken = (token: string): string =>
  encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
