// Several collaboration servers on one PostgreSQL and one Redis, each a real process with real y-websocket clients:
// edits and presence cross servers, a server opening a busy notebook misses nothing, a Redis outage loses nothing,
// and a role change made in one process closes the person's connection held by another.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { orderedCells } from '../../cells/document';
import { startRelay, type RelayHandle } from '../../server/collab/relay-setup';
import { loadDoc } from '../../server/collab/doc-store';
import type { Db } from '../../server/db/types';
import type { NotebookId } from '../../server/ids';
import { createNotebook } from '../../server/notebooks/notebooks';
import { removeMember } from '../../server/workspaces/workspaces';
import { connect, destroyClients, synced, until, type Client } from './helpers/collab';
import { durableDb } from './helpers/durable-db';
import { freePort } from './helpers/free-port';
import { join, person } from './helpers/people';
import { startRedis, type RedisServer } from './helpers/redis-server';

// Several processes share one database: PGlite is one process's, so this needs PostgreSQL (npm test starts one).
if (!process.env.TEST_DATABASE_URL)
  throw new Error('collab-servers needs TEST_DATABASE_URL (run it with npm test)');

const children: ChildProcess[] = [];
let store: Awaited<ReturnType<typeof durableDb>>;
let db: Db;
let redis: RedisServer;
let relay: RelayHandle | null = null;
let owner: Awaited<ReturnType<typeof person>>;
let watcher: Awaited<ReturnType<typeof person>>;

function startServer(): Promise<{ port: number; child: ChildProcess }> {
  return freePort().then(
    (port) =>
      new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'tests/integration/helpers/collab-process.ts'],
          {
            env: { ...process.env, ...store.env, REDIS_URL: redis.url, PORT: String(port) },
            stdio: ['ignore', 'pipe', 'inherit']
          }
        );
        children.push(child);
        child.stdout!.on('data', (d: Buffer) => {
          if (d.toString().includes('ready')) resolve({ port, child });
        });
        child.on('exit', (code) => reject(new Error(`collab server exited early (${code})`)));
      })
  );
}

let a: { port: number };
let b: { port: number };

beforeAll(async () => {
  redis = await startRedis();
  store = await durableDb();
  db = await store.open();
  owner = await person(db, 'Typist');
  watcher = await person(db, 'Watcher');
  await join(db, owner, watcher, 'editor');
  [a, b] = await Promise.all([startServer(), startServer()]);
}, 60_000);

afterAll(async () => {
  destroyClients();
  children.forEach((c) => c.kill('SIGKILL'));
  await relay?.stop();
  await db?.close();
  await store?.cleanup();
  await redis?.stop();
});

const text = (c: Client) => orderedCells(c.doc)[0]!.source.toString();
const notebook = (title: string) => createNotebook(db, owner.id, owner.workspaceId, { title });
async function storedText(id: NotebookId): Promise<string> {
  const doc = await loadDoc(db, id);
  const t = orderedCells(doc)[0]!.source.toString();
  doc.destroy();
  return t;
}

it('a client on server A types; a client on server B sees it, and it is stored', async () => {
  const nb = await notebook('Across');
  const onA = connect(a.port, nb.id, owner.token);
  const onB = connect(b.port, nb.id, watcher.token);
  await Promise.all([synced(onA), synced(onB)]);
  orderedCells(onA.doc)[0]!.source.insert(0, 'hello from A');
  await until(() => text(onB) === 'hello from A', 'B to see A’s edit');
  orderedCells(onB.doc)[0]!.source.insert(0, 'B says ');
  await until(() => text(onA) === 'B says hello from A', 'A to see B’s edit');
  expect(await storedText(nb.id)).toBe('B says hello from A');
  onA.destroy();
  onB.destroy();
});

it('presence crosses servers, stamped with who the person is, also to a server opening the notebook later', async () => {
  const nb = await notebook('Presence');
  const stateOf = (c: Client, userId: string) =>
    [...c.provider.awareness.getStates().values()].find(
      (s) => (s as { user?: { id?: string } }).user?.id === userId
    ) as { user: { name: string; color: string } } | undefined;
  const onA = connect(a.port, nb.id, owner.token);
  const alsoOnA = connect(a.port, nb.id, watcher.token);
  await Promise.all([synced(onA), synced(alsoOnA)]);
  onA.provider.awareness.setLocalStateField('user', { color: '#112233', name: 'Not really me' });
  await until(() => stateOf(alsoOnA, owner.id) !== undefined, 'server A to have A’s presence');
  alsoOnA.destroy();
  // Only then does B open the notebook: it asks who is there, as clients renew their presence only every 15 s
  // (longer than these waits).
  const onB = connect(b.port, nb.id, watcher.token);
  await synced(onB);
  await until(() => stateOf(onB, owner.id) !== undefined, 'B to see A’s presence');
  // Server A's gate stamped the name; B relays exactly that.
  expect(stateOf(onB, owner.id)!.user).toMatchObject({ name: 'Typist', color: '#112233' });
  onB.provider.awareness.setLocalStateField('user', { color: '#445566' });
  await until(() => stateOf(onA, watcher.id) !== undefined, 'A to see B’s presence');
  expect(stateOf(onA, watcher.id)!.user).toMatchObject({ name: 'Watcher', color: '#445566' });
  // A person leaving on A is gone on B too.
  onA.destroy();
  await until(() => stateOf(onB, owner.id) === undefined, 'A’s presence to go on B');
  onB.destroy();
});

it('a server opening a notebook that is busy elsewhere catches up and misses nothing', async () => {
  const nb = await notebook('Late');
  const typist = connect(a.port, nb.id, owner.token);
  await synced(typist);
  let typed = 0;
  const typing = setInterval(() => {
    orderedCells(typist.doc)[0]!.source.insert(typed, 'x');
    typed++;
  }, 2);
  await until(() => text(typist).length >= 100, 'typing to be under way');
  // A third server opens the room in the middle of the typing (its load and subscription race the typist).
  const c = await startServer();
  const late = connect(c.port, nb.id, watcher.token);
  await synced(late);
  const atJoin = typed;
  await until(() => typed >= atJoin + 200, 'more typing after the late join');
  clearInterval(typing);
  await until(() => text(late).length === typed, 'the late server’s client to have everything', 20_000);
  expect(text(late)).toBe('x'.repeat(typed));
  await until(() => text(typist).length === typed, 'the typist to settle');
  expect(await storedText(nb.id)).toBe('x'.repeat(typed));
  typist.destroy();
  late.destroy();
}, 60_000);

it('Redis stopped and restarted mid-session: each server keeps serving, then everyone converges', async () => {
  const nb = await notebook('Outage');
  const onA = connect(a.port, nb.id, owner.token);
  const alsoOnA = connect(a.port, nb.id, watcher.token);
  const onB = connect(b.port, nb.id, watcher.token);
  await Promise.all([synced(onA), synced(alsoOnA), synced(onB)]);
  orderedCells(onA.doc)[0]!.source.insert(0, 'before|');
  await until(() => text(onB) === 'before|', 'B to see the edit made before the outage');

  await redis.stop();
  // During the outage: A's clients still get each other's edits; B's own client types too.
  orderedCells(onA.doc)[0]!.source.insert(7, 'A-during|');
  orderedCells(onB.doc)[0]!.source.insert(0, 'B-during|');
  await until(() => text(alsoOnA).includes('A-during|'), 'A’s other client to see it with Redis down');
  // Both are stored although they could not cross yet.
  for (const start = Date.now(); (await storedText(nb.id)).length !== 'before|A-during|B-during|'.length;) {
    if (Date.now() - start > 10_000) throw new Error('Timed out waiting for both outage edits to be stored');
    await new Promise((r) => setTimeout(r, 50));
  }

  await redis.restart();
  const all = [onA, alsoOnA, onB];
  await until(
    () => all.every((c) => text(c).length === 'before|A-during|B-during|'.length),
    'every client to converge after Redis is back',
    30_000
  );
  const final = text(onA);
  expect(all.map(text)).toEqual([final, final, final]);
  expect(final.split('|').sort()).toEqual(['', 'A-during', 'B-during', 'before']);
  // Delivery resumes: a new edit crosses again.
  orderedCells(onB.doc)[0]!.source.insert(0, 'after|');
  await until(() => text(onA).startsWith('after|'), 'A to see an edit made after the outage');
  expect(await storedText(nb.id)).toBe(text(onA));
  for (const c of all) c.destroy();
}, 60_000);

/** The watcher's raw connection to server B, once B has opened the room (its first sync message). Listeners are
 * attached before the handshake ends: the first message can arrive in the same read as the handshake's answer. */
async function watcherOnB(title: string): Promise<{ closed: Promise<number> }> {
  const nb = await notebook(title);
  const ws = new WebSocket(`ws://127.0.0.1:${b.port}/collab/${nb.id}`, {
    headers: { cookie: `sheaf_session=${watcher.token}` }
  });
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  return { closed }; // wrapped: an async function returning a promise would wait for it
}

// B re-checks at once (not at its 30 s timer, beyond these tests' 20 s) and closes with "access removed".
it('removing someone in one process closes their connection on another server at once', async () => {
  relay = await startRelay(db, redis.url); // this test process plays the server where the owner acts
  const { closed } = await watcherOnB('Roles');
  await removeMember(db, owner.id, owner.workspaceId, watcher.id);
  expect(await closed).toBe(4403);
  await join(db, owner, watcher, 'editor'); // back, for the tests that follow
}, 20_000);

it('a server started while Redis is down serves its own clients and joins the others once it is up', async () => {
  const nb = await notebook('Born in an outage');
  await redis.stop();
  const c = await startServer();
  const onC = connect(c.port, nb.id, owner.token);
  const alsoOnC = connect(c.port, nb.id, watcher.token);
  const onA = connect(a.port, nb.id, watcher.token);
  await Promise.all([synced(onC), synced(alsoOnC), synced(onA)]);
  orderedCells(onC.doc)[0]!.source.insert(0, 'C|');
  orderedCells(onA.doc)[0]!.source.insert(0, 'A|');
  await until(() => text(alsoOnC).includes('C|'), 'C’s clients to share edits with Redis down');
  await redis.restart();
  const all = [onC, alsoOnC, onA];
  await until(() => all.every((x) => text(x).length === 4), 'everyone to converge once Redis is up', 30_000);
  expect(new Set(all.map(text)).size).toBe(1);
  orderedCells(onA.doc)[0]!.source.insert(0, 'later|');
  await until(() => text(onC).startsWith('later|'), 'C to receive relayed edits from then on');
  for (const x of all) x.destroy();
}, 60_000);

it('a removal made while Redis is down still closes the connection elsewhere once it is back', async () => {
  const { closed } = await watcherOnB('Roles in an outage');
  await redis.stop();
  await removeMember(db, owner.id, owner.workspaceId, watcher.id);
  await redis.restart();
  expect(await closed).toBe(4403);
}, 20_000);
