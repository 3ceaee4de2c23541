// Opens the app database named by the configuration: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ServerConfig } from '../config';
import { migrate, readMigrations } from './migrate';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';
import type { Db } from './types';

async function openDb(config: Pick<ServerConfig, 'databaseUrl' | 'databaseSchema' | 'dataDir'>) {
  if (config.databaseUrl) {
    try {
      return await openPostgres(config.databaseUrl, config.databaseSchema);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new Error(`Cannot reach the database at DATABASE_URL (${reason}).`, { cause: e });
    }
  }
  const dir = path.join(config.dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  return openPglite(dir);
}

export async function openMigratedDb(
  config: Pick<ServerConfig, 'databaseUrl' | 'databaseSchema' | 'dataDir' | 'migrationsDir'>
): Promise<Db> {
  const db = await openDb(config);
  try {
    await migrate(db, await readMigrations(config.migrationsDir));
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}
