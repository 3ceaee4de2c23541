// Connection secrets at rest: AES-256-GCM with a random 96-bit nonce, bound to the row they belong to (the
// connection id is the additional authenticated data, so a sealed password cannot be moved to another row).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ServerConfig } from '../config';

const VERSION = 'v1';

export type SecretBox = {
  seal(plaintext: string, boundTo: string): string;
  open(sealed: string, boundTo: string): string;
};

export function secretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new Error('The secret key must be 32 bytes.');
  return {
    seal(plaintext, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(boundTo));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`;
    },
    open(sealed, boundTo) {
      const [version, b64] = sealed.split(':');
      if (version !== VERSION || !b64) throw new Error('Unknown secret format.');
      const raw = Buffer.from(b64, 'base64');
      if (raw.length < 12 + 16) throw new Error('Sealed secret too short.');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12), { authTagLength: 16 });
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
        'utf8'
      );
    }
  };
}

/** SECRET_KEY as 32 bytes; accepts base64 (44 chars) or hex (64 chars). */
export function parseSecretKey(text: string): Uint8Array {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (bytes.length !== 32) {
    throw new Error(
      'SECRET_KEY must be 32 random bytes, written as 64 hex characters or base64 ' +
        '(e.g. `openssl rand -base64 32`).'
    );
  }
  return bytes;
}

const KEY_FILE = 'secret.key';

/**
 * The key for connection secrets. A deployment on its own database (DATABASE_URL) in production must be given
 * SECRET_KEY: a key generated on one machine would be lost with it, leaving every stored password unreadable.
 * The embedded default (and development) keeps a generated key under the data directory, next to the data.
 */
export function loadSecretKey(config: ServerConfig): Uint8Array {
  if (config.secretKey) return parseSecretKey(config.secretKey);
  if (config.production && config.databaseUrl) {
    throw new Error(
      'SECRET_KEY is not set. It encrypts database connection passwords; generate one with ' +
        '`openssl rand -base64 32` and keep it with your other secrets.'
    );
  }
  const file = path.join(config.dataDir, KEY_FILE);
  if (existsSync(file)) return parseSecretKey(readFileSync(file, 'utf8'));
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

const BOX = Symbol.for('sheaf.secretBox');
type Holder = typeof globalThis & { [BOX]?: SecretBox };

/** One box per process (the SvelteKit bundle and server/index.ts each load this module). */
export function appSecretBox(config: ServerConfig): SecretBox {
  const g = globalThis as Holder;
  g[BOX] ??= secretBox(loadSecretKey(config));
  return g[BOX];
}
