// The reference deployment, run for real: deploy/haproxy.cfg in front of two Sheaf servers (`server/index.ts` over
// the built app, as `npm start` runs it) on one PostgreSQL and one Redis, configured with deploy/sheaf.env. One
// server is killed with -9 while 20 y-websocket clients type through HAProxy: they reconnect to the other, and
// nothing any client saw acknowledged is lost. And the login limits see each browser's own address through HAProxy,
// whatever X-Forwarded-For it sends.
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { orderedCells } from '../../cells/document';
import { loadDoc } from '../../server/collab/doc-store';
import type { Db } from '../../server/db/types';
import type { NotebookId } from '../../server/ids';
import { createNotebook } from '../../server/notebooks/notebooks';
import { buildApp, startApp, type AppProcess } from './helpers/app-process';
import { connect, destroyClients, until, type Client } from './helpers/collab';
import { durableDb } from './helpers/durable-db';
import { startHaproxy, type Haproxy } from './helpers/haproxy';
import { join, person } from './helpers/people';
import { startRedis, type RedisServer } from './helpers/redis-server';

if (!process.env.TEST_DATABASE_URL)
  throw new Error('haproxy-failover needs TEST_DATABASE_URL (run it with npm test)');

/** deploy/sheaf.env as compose reads it: KEY=value lines, # comments. */
function deployEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync('deploy/sheaf.env', 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

let store: Awaited<ReturnType<typeof durableDb>>;
let db: Db;
let ownRedis: RedisServer | undefined;
let servers: AppProcess[] = [];
let proxy: Haproxy;
let owner: Awaited<ReturnType<typeof person>>;
let others: Awaited<ReturnType<typeof person>>[];

beforeAll(async () => {
  buildApp();
  store = await durableDb();
  db = await store.open();
  const redisUrl = process.env.TEST_REDIS_URL ?? (ownRedis = await startRedis()).url;
  // One deployment: the same database, DATA_DIR and SECRET_KEY on both servers, as deploy/compose.yaml sets them.
  const shared = {
    ...deployEnv(),
    ...store.env,
    REDIS_URL: redisUrl,
    DATA_DIR: store.dataDir,
    SECRET_KEY: Buffer.alloc(32, 7).toString('base64')
  };
  servers = await Promise.all([startApp(shared), startApp(shared)]);
  proxy = await startHaproxy(servers.map((s) => new URL(s.base).host) as [string, string]);
  owner = await person(db, 'Owner');
  others = [];
  for (let i = 0; i < 19; i++) {
    const p = await person(db, `Typist ${i}`);
    await join(db, owner, p, 'editor');
    others.push(p);
  }
}, 180_000);

afterAll(async () => {
  destroyClients();
  await proxy?.stop();
  await Promise.all(servers.map((s) => s.stop()));
  await db?.close();
  await store?.cleanup();
  await ownRedis?.stop();
});

// Each client types tokens `<client.n>` at the end of the first cell: always between whole tokens, so that every
// update is one token and the text can be counted.
const TOKEN = /<(\d+)\.(\d+)>/g;
const tokensIn = (text: string) => [...text.matchAll(TOKEN)].map((m) => ({ token: m[0], by: Number(m[1]) }));
const textOf = (c: Client) => orderedCells(c.doc)[0]?.source.toString() ?? '';
/** The tokens client `i` holds that others typed: it can only have had them from a server. */
const othersIn = (c: Client, i: number) => tokensIn(textOf(c)).filter((t) => t.by !== i);

async function storedTokens(id: NotebookId): Promise<string[]> {
  const doc = await loadDoc(db, id);
  const text = orderedCells(doc)[0]!.source.toString();
  doc.destroy();
  return tokensIn(text).map((t) => t.token);
}

const allSynced = (clients: Client[]) => clients.every((c) => c.provider.synced);

it('kill -9 one server while 20 clients type through HAProxy: they move to the other, nothing acknowledged is lost', async () => {
  const nb = await createNotebook(db, owner.id, owner.workspaceId, { title: 'Failover' });
  const people = [owner, ...others];
  const clients = people.map((p) => connect(proxy.port, nb.id, p.token));
  await until(() => allSynced(clients), 'all 20 clients to sync through HAProxy', 30_000);

  const typed: string[] = [];
  const counters = clients.map(() => 0);
  const typing = setInterval(() => {
    clients.forEach((c, i) => {
      const source = orderedCells(c.doc)[0]!.source;
      const token = `<${i}.${counters[i]!++}>`;
      source.insert(source.length, token);
      typed.push(token);
    });
  }, 100);
  try {
    // Under way on both servers: every client sees every other one's typing (half of it relayed through Redis).
    const seesAll = (c: Client, i: number) =>
      new Set(othersIn(c, i).map((t) => t.by)).size === clients.length - 1;
    await until(
      () => typed.length >= 400 && clients.every(seesAll),
      'every client to see all 19 others typing',
      30_000
    );

    // Reconnects wait until the store has been read below: otherwise the authors' own copies, sent again on
    // reconnect, would refill whatever the dead server had acknowledged without storing.
    for (const c of clients) c.provider.shouldConnect = false;
    let cut = 0;
    for (const c of clients) c.provider.once('connection-close', () => cut++);
    const victim = servers[0]!;
    await victim.crash();
    // Acknowledged: a token some other client received. Only the server sends a client others' edits, and a server
    // sends an update (to its own clients, or to the other server through Redis) only once it has stored it.
    const acknowledged = new Set(
      clients.flatMap((c, i) =>
        tokensIn(textOf(c))
          .filter((t) => t.by !== i)
          .map((t) => t.token)
      )
    );
    await until(() => cut > 0, 'the dead server’s clients to notice', 10_000);
    const stored = new Set(await storedTokens(nb.id));
    const lost = [...acknowledged].filter((t) => !stored.has(t));
    expect({ acknowledged: acknowledged.size, lost }).toEqual({ acknowledged: acknowledged.size, lost: [] });
    // HAProxy had spread them: some were on the server that died, the others kept typing on theirs.
    expect(cut).toBeGreaterThan(0);
    expect(cut).toBeLessThan(clients.length);

    const beforeReconnect = typed.length;
    for (const c of clients) c.provider.connect();
    await until(() => allSynced(clients), 'every client to reconnect through HAProxy', 30_000);
    await until(() => typed.length >= beforeReconnect + 200, 'typing to go on after the failover');
    clearInterval(typing);

    // Settled: every client holds every token typed (including what the cut-off clients typed meanwhile), once.
    const everything = new Set(typed);
    await until(
      () => clients.every((c) => tokensIn(textOf(c)).length === everything.size),
      'every client to hold every token',
      60_000
    );
    const first = textOf(clients[0]!);
    expect(clients.every((c) => textOf(c) === first)).toBe(true);
    for (let start = Date.now(); (await storedTokens(nb.id)).length < everything.size;) {
      if (Date.now() - start > 20_000) throw new Error('Timed out waiting for the store to hold every token');
      await new Promise((r) => setTimeout(r, 100));
    }
    const final = await storedTokens(nb.id);
    expect(final.length).toBe(everything.size);
    expect(new Set(final)).toEqual(everything);
    console.log(
      `haproxy failover: ${cut} of ${clients.length} clients cut off; ${acknowledged.size} updates ` +
        `acknowledged before the kill, none lost; ${everything.size} typed, all stored`
    );
  } finally {
    clearInterval(typing);
    for (const c of clients) c.destroy();
  }
}, 180_000);

/** A login form post through HAProxy from the local address `from` (any of 127/8 is this machine). */
function logIn(from: string, email: string, password: string, forwardedFor: string): Promise<number> {
  const body = new URLSearchParams({ email, password }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: proxy.port,
        path: '/login',
        method: 'POST',
        localAddress: from,
        headers: {
          origin: proxy.base,
          accept: 'text/html',
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
          'x-forwarded-for': forwardedFor
        }
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }
    );
    req.on('error', reject);
    req.end(body);
  });
}

it('the login limits count the address HAProxy saw: a forged X-Forwarded-For does not help, others get in', async () => {
  const victim = await person(db, 'Victim');
  // A guesser on one network, claiming a new address each time: limited all the same, on both servers.
  let refusedInARow = 0;
  for (let i = 0; i < 40 && refusedInARow < 4; i++) {
    const status = await logIn('127.0.7.1', victim.email, `guess ${i}`, `203.0.113.${i}`);
    refusedInARow = status === 429 ? refusedInARow + 1 : 0;
  }
  expect(refusedInARow).toBe(4);
  // The owner, on another network (as HAProxy sees it), is not held up by the guesser.
  expect(await logIn('127.0.8.1', victim.email, 'correct horse battery', '203.0.113.1')).toBe(303);
});
