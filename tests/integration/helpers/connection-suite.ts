// What the connected-database suites (PostgreSQL, MariaDB/MySQL) share: a sample database of their kind, a fresh
// app database, the raw-routes server and an owner, made before the file's tests and closed after them; with
// `connect` (a connection of the owner's to the sample) and `run` (a query over HTTP, as the browser sends it).
import { afterAll, beforeAll } from 'vitest';
import { createConnection } from '../../../server/connectors/store';
import type { Db } from '../../../server/db/types';
import { startFilesServer, type FilesServer } from './files-server';
import { person } from './people';
import { queryOverHttp } from './query-client';
import { freshDb, type TestDb } from './test-db';

type Person = Awaited<ReturnType<typeof person>>;
type Settings = Record<string, unknown>;

export interface ConnectionSuite<S, T extends Settings> {
  /** The sample database (valid inside tests and hooks, like the rest). */
  readonly sample: S;
  /** The app's database. */
  readonly db: Db;
  readonly server: FilesServer;
  readonly owner: Person;
  /** The settings of a connection to the sample, with `over` on top. */
  settings(over?: Settings): T;
  /** A new connection of the owner's to the sample. */
  connect(over?: Settings): ReturnType<typeof createConnection>;
  /** Runs `sql` on a connection over HTTP, as the owner unless `token` says whom. */
  run(connectionId: string, sql: string, token?: string): ReturnType<typeof queryOverHttp>;
}

/** Registers the file's hooks: `open` makes the sample; `settingsFor` says how a connection reaches it. */
export function connectionSuite<S extends { cleanup(): Promise<void> }, T extends Settings>(
  open: () => Promise<S>,
  settingsFor: (sample: S) => T
): ConnectionSuite<S, T> {
  let made: { sample: S; t: TestDb; server: FilesServer; owner: Person } | undefined;
  let sample: S | undefined;
  let t: TestDb | undefined;
  let server: FilesServer | undefined;
  beforeAll(async () => {
    sample = await open();
    t = await freshDb();
    server = await startFilesServer(t.db);
    made = { sample, t, server, owner: await person(t.db, 'Owner') };
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await t?.cleanup();
    await sample?.cleanup();
  });
  const ready = () => {
    if (!made) throw new Error('The connection suite is used before its beforeAll ran');
    return made;
  };
  const suite: ConnectionSuite<S, T> = {
    get sample() {
      return ready().sample;
    },
    get db() {
      return ready().t.db;
    },
    get server() {
      return ready().server;
    },
    get owner() {
      return ready().owner;
    },
    settings: (over = {}) => ({ ...settingsFor(ready().sample), ...over }),
    connect: (over = {}) =>
      createConnection(suite.db, suite.server.box, {
        userId: suite.owner.id,
        workspaceId: suite.owner.workspaceId,
        input: suite.settings(over)
      }),
    run: (connectionId, sql, token = suite.owner.token) =>
      queryOverHttp(suite.server.port, token, connectionId, sql)
  };
  return suite;
}
