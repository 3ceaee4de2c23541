// Applies migrations/NNNN_name.sql in order, each in its own transaction, recorded in schema_migrations.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from './types';

export type Migration = { version: number; name: string; sql: string };

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export async function readMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const f of files) {
    const m = FILE.exec(f);
    if (!m) throw new Error(`Migration file "${f}" must be named NNNN_name.sql (lower case).`);
    const version = Number(m[1]);
    if (out.some((x) => x.version === version)) throw new Error(`Two migrations share number ${m[1]}.`);
    out.push({ version, name: m[2]!, sql: await readFile(path.join(dir, f), 'utf8') });
  }
  return out;
}

export class MigrationError extends Error {
  constructor(migration: Migration, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Migration ${String(migration.version).padStart(4, '0')}_${migration.name} failed: ${reason}. ` +
        `Nothing of it was applied; fix the file (or the database) and start again.`
    );
    this.name = 'MigrationError';
  }
}

/** Returns the versions it applied. Safe to run from several processes at once (advisory lock). */
export async function migrate(db: Db, migrations: Migration[]): Promise<number[]> {
  // Under the same lock as the migrations: two servers starting together would otherwise both create it, and
  // `if not exists` does not stop the second (PostgreSQL refuses it with a duplicate pg_type row).
  await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(7316001)');
    await tx.query(`create table if not exists schema_migrations (
      version int primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
  });
  const applied: number[] = [];
  for (const m of migrations) {
    try {
      const did = await db.transaction(async (tx) => {
        await tx.query('select pg_advisory_xact_lock(7316001)');
        const done = await tx.query('select 1 from schema_migrations where version = $1', [m.version]);
        if (done.length > 0) return false;
        await tx.exec(m.sql);
        await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
        return true;
      });
      if (did) applied.push(m.version);
    } catch (e) {
      throw new MigrationError(m, e);
    }
  }
  return applied;
}
