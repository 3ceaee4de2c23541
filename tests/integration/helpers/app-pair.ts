// Two production app servers (app-process.ts) as a load balancer would have them: one PostgreSQL schema, one
// DATA_DIR, one SECRET_KEY and one Redis between them.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openPostgres } from '../../../server/db/postgres';
import type { Db } from '../../../server/db/types';
import { startApp, type AppProcess } from './app-process';
import { startRedis, type RedisServer } from './redis-server';
import { targetUrl } from './sample-db';

export type AppPair = {
  a: AppProcess;
  b: AppProcess;
  /** The servers' database, as the test sees it. */
  db: Db;
  dataDir: string;
  key: Buffer;
  stop: () => Promise<void>;
};

export async function startAppPair(env: Record<string, string> = {}): Promise<AppPair> {
  const url = targetUrl(); // several processes on one database: PostgreSQL, never PGlite
  const schema = `pair_${randomBytes(6).toString('hex')}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-pair-'));
  const key = randomBytes(32);
  const redis: RedisServer = await startRedis();
  const shared = {
    DATABASE_URL: url,
    DATABASE_SCHEMA: schema,
    DATA_DIR: dataDir,
    SECRET_KEY: key.toString('base64'),
    REDIS_URL: redis.url,
    // As behind HAProxy: each request says where it came from.
    ADDRESS_HEADER: 'x-forwarded-for',
    ...env
  };
  const [a, b] = await Promise.all([startApp(shared), startApp(shared)]);
  const db = await openPostgres(url, schema);
  return {
    a,
    b,
    db,
    dataDir,
    key,
    async stop() {
      await db.close();
      await Promise.all([a.stop(), b.stop()]);
      await redis.stop();
      await rm(dataDir, { recursive: true, force: true });
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    }
  };
}
