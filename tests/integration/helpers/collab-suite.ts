// One fresh database and one real collaboration server per test file, with the hooks every collaboration test
// needs: clients are dropped after each test, rooms flushed and everything closed after the file.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { roomsFor } from '../../../server/collab/rooms';
import type { Db } from '../../../server/db/types';
import { destroyClients, startCollabServer, type CollabServer } from './collab';
import { freshDb, type TestDb } from './test-db';

export interface CollabSuite {
  /** The file's database (valid inside tests and hooks). */
  readonly db: Db;
  /** The collaboration server's port. */
  readonly port: number;
}

/** Registers the file's hooks; `prepare` runs on the fresh database before the server starts. */
export function collabSuite(prepare?: (db: Db) => void | Promise<void>): CollabSuite {
  let t: TestDb | undefined;
  let server: CollabServer | undefined;
  beforeAll(async () => {
    t = await freshDb();
    await prepare?.(t.db);
    server = await startCollabServer(t.db);
  });
  afterEach(() => destroyClients());
  afterAll(async () => {
    if (t) await roomsFor(t.db).closeAll();
    await server?.close();
    await t?.cleanup();
  });
  return {
    get db() {
      if (!t) throw new Error('The collaboration suite is used before its beforeAll ran');
      return t.db;
    },
    get port() {
      if (!server) throw new Error('The collaboration suite is used before its beforeAll ran');
      return server.port;
    }
  };
}
