// The app's one database handle. The SvelteKit bundle and server/index.ts each carry a copy of this module,
// so the handle lives on globalThis: two PGlite instances on one directory would corrupt it.
import { loadConfig, type ServerConfig } from '../config';
import { purgeStaleIncoming } from '../http/stale-incoming';
import { purgeDeletedNotebooks } from '../notebooks/notebooks';
import { deleteExpiredSessions } from '../auth/session';
import { pruneRateLimits } from '../auth/rate-limit';
import { openMigratedDb } from './open';
import { purgeOrphanResults } from '../results/cleanup';
import { purgeUnpublishedSnapshots } from '../publish/cleanup';
import { pruneCellEdits } from '../authors/store';
import { thinVersions } from '../versions/retention';
import { seedDemo } from './seed';
import type { Db } from './types';

const KEY = Symbol.for('sheaf.appDb');
type Holder = typeof globalThis & { [KEY]?: Promise<Db> };

export function getDb(config: ServerConfig = loadConfig()): Promise<Db> {
  const g = globalThis as Holder;
  g[KEY] ??= start(config).catch((e) => {
    delete g[KEY];
    throw e;
  });
  return g[KEY];
}

export async function closeDb(): Promise<void> {
  const g = globalThis as Holder;
  const p = g[KEY];
  delete g[KEY];
  if (p) await (await p).close();
}

async function start(config: ServerConfig): Promise<Db> {
  const db = await openMigratedDb(config);
  if (config.seedDemo) await seedDemo(db, config.dataDir);
  const housekeeping = async () => {
    await purgeDeletedNotebooks(db);
    await deleteExpiredSessions(db);
    await purgeOrphanResults(db, config.dataDir);
    await purgeUnpublishedSnapshots(db, config.dataDir);
    await purgeStaleIncoming(config.dataDir);
    await thinVersions(db);
    await pruneCellEdits(db);
    await pruneRateLimits(db);
  };
  await housekeeping();
  setInterval(() => housekeeping().catch((e) => console.error('housekeeping failed:', e)), 3600_000).unref();
  return db;
}
