// The built app (startApp) on the test PostgreSQL in a schema of the test's own, and the test's own connection to
// that schema: a test sets things up in the database directly, as another server would, and reads them over HTTP.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';
import { buildApp, startApp, type AppProcess } from './app-process';
import { targetUrl } from './sample-db';

export type AppWithDb = {
  app: AppProcess;
  db: Db;
  /** Closes the connection, stops the app and drops the schema. */
  stop: () => Promise<void>;
};

/** Builds and starts the app with `env` on the schema `<prefix>_<random>`. */
export async function startAppWithDb(prefix: string, env: Record<string, string> = {}): Promise<AppWithDb> {
  const url = targetUrl();
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  let app: AppProcess | undefined;
  let db: Db | undefined;
  const stop = async () => {
    await db?.close();
    await app?.stop();
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  };
  try {
    buildApp();
    app = await startApp({ ...env, DATABASE_SCHEMA: schema });
    db = await openPostgres(url, schema);
    return { app, db, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
