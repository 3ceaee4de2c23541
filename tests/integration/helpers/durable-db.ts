// A database that outlives the processes using it: a schema in TEST_DATABASE_URL, or a PGlite directory.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openMigratedDb } from '../../../server/db/open';
import type { Db } from '../../../server/db/types';
import { MIGRATIONS_DIR } from './test-db';

export async function durableDb() {
  const url = process.env.TEST_DATABASE_URL;
  const schema = url ? `t_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}` : undefined;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-durable-'));
  const config = { databaseUrl: url, databaseSchema: schema, dataDir, migrationsDir: MIGRATIONS_DIR };
  return {
    /** A folder that goes with the database (PGlite's, else free for a DATA_DIR). */
    dataDir,
    env: (url ? { DATABASE_URL: url, DATABASE_SCHEMA: schema! } : { DATA_DIR: dataDir }) as Record<
      string,
      string
    >,
    open: (): Promise<Db> => openMigratedDb(config),
    async cleanup() {
      await rm(dataDir, { recursive: true, force: true });
      if (url) {
        const sql = postgres(url, { max: 1, onnotice: () => {} });
        await sql.unsafe(`drop schema if exists "${schema}" cascade`);
        await sql.end();
      }
    }
  };
}
