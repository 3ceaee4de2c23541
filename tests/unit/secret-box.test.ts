import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { loadSecretKey, parseSecretKey, secretBox } from '../../server/connectors/secret-box';

describe('secret box', () => {
  const box = secretBox(randomBytes(32));

  it('opens what it sealed, and never shows the plaintext in the sealed form', () => {
    const sealed = box.seal('hunter2-p@ss', 'conn1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('hunter2');
    expect(box.open(sealed, 'conn1')).toBe('hunter2-p@ss');
    expect(box.seal('same', 'conn1')).not.toBe(box.seal('same', 'conn1')); // fresh nonce each time
  });

  it('refuses a secret moved to another row, altered, or sealed under another key', () => {
    const sealed = box.seal('secret', 'conn1');
    expect(() => box.open(sealed, 'conn2')).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[14]! ^= 1;
    expect(() => box.open(`v1:${raw.toString('base64')}`, 'conn1')).toThrow();
    expect(() => secretBox(randomBytes(32)).open(sealed, 'conn1')).toThrow();
  });

  it('reads SECRET_KEY as base64 or hex and explains a bad one', () => {
    const key = randomBytes(32);
    expect(Buffer.from(parseSecretKey(key.toString('base64')))).toEqual(key);
    expect(Buffer.from(parseSecretKey(key.toString('hex')))).toEqual(key);
    expect(() => parseSecretKey('too-short')).toThrow(/32 random bytes/);
  });

  it("refuses a SERVER_DATA_DIR that overlaps the app's own data", () => {
    expect(() => loadConfig({ DATA_DIR: '/srv/sheaf', SERVER_DATA_DIR: '/srv/sheaf/shared' })).toThrow(
      /must not contain/
    );
    expect(() => loadConfig({ DATA_DIR: '/srv/sheaf/data', SERVER_DATA_DIR: '/srv/sheaf' })).toThrow(
      /must not contain/
    );
    expect(loadConfig({ DATA_DIR: '/srv/sheaf/data', SERVER_DATA_DIR: '/srv/shared' }).serverDataDir).toBe(
      '/srv/shared'
    );
  });

  it('refuses to start in production on PostgreSQL without SECRET_KEY; the embedded default keeps its own', () => {
    const production = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://x/y',
      DATA_DIR: tmpdir()
    });
    expect(() => loadSecretKey(production)).toThrow(/SECRET_KEY is not set/);
    const dataDir = mkdtempSync(path.join(tmpdir(), 'sheaf-key-'));
    const embedded = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir });
    const first = loadSecretKey(embedded);
    expect(Buffer.from(loadSecretKey(embedded))).toEqual(Buffer.from(first)); // kept, not regenerated
    const file = path.join(dataDir, 'secret.key');
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(readFileSync(file, 'utf8').trim()).toBe(Buffer.from(first).toString('base64'));
  });
});
