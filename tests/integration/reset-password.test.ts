// `npm run sheaf -- reset-password`, run as an operator would: a real child process on the app database.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn } from '../../server/auth/accounts';
import { createLoginLimiters } from '../../server/auth/rate-limit';
import { createSession, validateSessionToken } from '../../server/auth/session';
import { openPglite } from '../../server/db/pglite';
import { migrate, readMigrations } from '../../server/db/migrate';
import type { Db } from '../../server/db/types';
import { person } from './helpers/people';
import { freshDb, MIGRATIONS_DIR, type TestDb } from './helpers/test-db';

// With TEST_DATABASE_URL the command gets the test's own schema; otherwise an embedded database in a folder,
// which the test closes while the command runs (PGlite's files belong to one process at a time).
let t: TestDb | undefined;
let dataDir: string;
let db: Db;
let env: Record<string, string>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-cli-'));
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir };
  if (process.env.TEST_DATABASE_URL) {
    t = await freshDb();
    db = t.db;
    env = { ...base, DATABASE_URL: process.env.TEST_DATABASE_URL, DATABASE_SCHEMA: t.schema! };
  } else {
    db = await openEmbedded();
    env = base;
  }
});
afterAll(async () => {
  if (t) await t.cleanup();
  else await db.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function openEmbedded(): Promise<Db> {
  const d = await openPglite(path.join(dataDir, 'pglite'));
  await migrate(d, await readMigrations(MIGRATIONS_DIR));
  return d;
}

function sheaf(
  args: string[],
  stdin?: string,
  environment: Record<string, string> = env
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
      env: environment
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin ?? '');
  });
}

/** Runs the command with the database free for it, then opens it again. */
async function run(args: string[], stdin?: string) {
  if (t) return sheaf(args, stdin);
  await db.close();
  try {
    return await sheaf(args, stdin);
  } finally {
    db = await openEmbedded();
  }
}

const login = (email: string, password: string) =>
  logIn(db, createLoginLimiters(db), { email, password }, '192.0.2.1').catch((e) => e);

describe('sheaf reset-password', () => {
  it('sets a strong temporary password, prints it once, and ends every session of the account', async () => {
    const who = await person(db, 'Forgetful');
    const other = await person(db, 'Bystander');
    const second = await createSession(db, who.id);

    const r = await run(['reset-password', who.email.toUpperCase()]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const printed = r.out.match(/^ {2}([a-z2-7]{5}(?:-[a-z2-7]{5}){3})$/m)?.[1];
    expect(printed).toBeDefined();
    expect(r.out.split(printed!)).toHaveLength(2); // shown exactly once
    expect(r.out).toMatch(/2 sessions were ended/);

    expect((await validateSessionToken(db, who.token)).session).toBeNull();
    expect((await validateSessionToken(db, second.token)).session).toBeNull();
    expect((await validateSessionToken(db, other.token)).user?.id).toBe(other.id);
    expect((await login(who.email, 'correct horse battery')).code).toBe('unauthorized');
    const ok = await login(who.email, printed!);
    expect(ok.user.id).toBe(who.id);
    const [row] = await db.query<{ password_hash: string }>('select password_hash from users where id = $1', [
      who.id
    ]);
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);

    // Each run makes a different password.
    const again = await run(['reset-password', who.email]);
    expect(again.out).not.toContain(printed!);
  });

  it('takes the password from standard input with --stdin, without echoing it', async () => {
    const who = await person(db, 'Piped');
    const r = await run(['reset-password', who.email, '--stdin'], 'a chosen passphrase\n');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('a chosen passphrase');
    expect((await login(who.email, 'a chosen passphrase')).user.id).toBe(who.id);
    expect((await validateSessionToken(db, who.token)).session).toBeNull();

    const short = await run(['reset-password', who.email, '--stdin'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.err).toMatch(/at least 8 characters/);
  });

  it('exits non-zero with a clear message for an unknown email, changing nothing', async () => {
    const bystander = await person(db, 'Untouched');
    const r = await run(['reset-password', 'nobody@example.test']);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe('No account has the email nobody@example.test.');
    expect(r.out).toBe('');
    expect((await validateSessionToken(db, bystander.token)).user?.id).toBe(bystander.id);
  });

  it('explains its usage when called wrongly', async () => {
    const r = await run(['reset-password']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/reset-password needs one email/);
    expect(r.err).toMatch(/Usage: npm run sheaf -- <command>/);
    expect((await run(['frobnicate'])).err).toMatch(/Unknown command "frobnicate"/);
  });

  it('refuses to open an embedded database the server has open', async () => {
    // Always on an embedded database of its own, held open here as a running server would hold it.
    const own = await mkdtemp(path.join(tmpdir(), 'sheaf-cli-held-'));
    const held = await openPglite(path.join(own, 'pglite'));
    try {
      await migrate(held, await readMigrations(MIGRATIONS_DIR));
      const r = await sheaf(['reset-password', 'someone@example.test'], undefined, {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATA_DIR: own
      });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/is in use\. Stop Sheaf and run this again/);
    } finally {
      await held.close();
      await rm(own, { recursive: true, force: true });
    }
  });
});
