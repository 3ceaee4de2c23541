// A fresh, migrated app database per test file: a throwaway schema in TEST_DATABASE_URL's PostgreSQL when set,
// otherwise an in-memory PGlite.
import path from 'node:path';
import postgres from 'postgres';
import { migrate, readMigrations } from '../../../server/db/migrate';
import { openPglite } from '../../../server/db/pglite';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';

export const MIGRATIONS_DIR = path.resolve('migrations');

export type TestDb = { db: Db; schema: string | undefined; cleanup: () => Promise<void> };

/** An empty database (no migrations applied). */
export async function emptyDb(): Promise<TestDb> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const db = await openPglite();
    return { db, schema: undefined, cleanup: () => db.close() };
  }
  const schema = `t_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const db = await openPostgres(url, schema);
  return {
    db,
    schema,
    async cleanup() {
      await db.close();
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
  };
}

export async function freshDb(): Promise<TestDb> {
  const t = await emptyDb();
  await migrate(t.db, await readMigrations(MIGRATIONS_DIR));
  return t;
}
