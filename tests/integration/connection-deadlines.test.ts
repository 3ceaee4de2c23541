// "Test connection" and schema reads against servers that misbehave, through the real server code with a real
// signed-up user (issue 16): a server that accepts and hangs up at once made postgres.js reconnect hundreds of
// times a second, for ever; a test outlived the request that asked for it; and addresses spelled another way
// (`::ffff:7f00:1`, `0x7f.0.0.1`) got past the loopback block. Each fake server here counts what it accepts.
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { getRequest } from '@sveltejs/kit/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_DEADLINE_S, TEST_DEADLINE_S } from '../../server/connectors/deadline';
import { requestGone } from '../../server/http/request-gone';
import { connectionSchema } from '../../server/connectors/schema-cache';
import { secretBox } from '../../server/connectors/secret-box';
import { createConnection } from '../../server/connectors/store';
import { testConnection } from '../../server/connectors/test-connection';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
let owner: Awaited<ReturnType<typeof person>>;
const box = secretBox(crypto.getRandomValues(new Uint8Array(32)));
const servers: FakeServer[] = [];

beforeAll(async () => {
  t = await freshDb();
  owner = await person(t.db, 'Owner');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await t?.cleanup();
});

type FakeServer = { port: number; accepted: number; open: number; close(): Promise<void> };

/**
 * 'hang-up' destroys each socket as soon as it is accepted; 'silent' keeps it open and never says a word; a
 * number of seconds: silent that long, then hangs up.
 */
async function fakeServer(mode: 'hang-up' | 'silent' | number, host = '127.0.0.1'): Promise<FakeServer> {
  const open = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    socket.on('error', () => {});
    if (mode === 'hang-up') return void socket.destroy();
    socket.resume(); // reads (and ignores) what the client says, so it sees the client hang up
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    if (typeof mode === 'number') setTimeout(() => socket.destroy(), mode * 1000).unref();
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const fake: FakeServer = {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted;
    },
    get open() {
      return open.size;
    },
    close() {
      for (const s of open) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    }
  };
  servers.push(fake);
  return fake;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `work`'s answer, or a failure saying it did not settle within `seconds`. */
async function within<T>(seconds: number, work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${seconds} s`)), seconds * 1000);
  });
  try {
    return { value: await Promise.race([work, late]), ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Waits (up to a generous bound) for `check` to hold. */
async function eventually(check: () => boolean, seconds = 5) {
  for (let waited = 0; !check() && waited < seconds * 1000; waited += 50) await sleep(50);
  return check();
}

const target = (kind: 'postgres' | 'mysql', host: string, port: number) => ({
  workspaceId: owner.workspaceId,
  kind,
  host,
  port,
  database: 'app',
  user: 'app',
  password: 'secret'
});

const test = (kind: 'postgres' | 'mysql', host: string, port: number, signal?: AbortSignal) =>
  testConnection(t.db, box, { userId: owner.id, input: target(kind, host, port), signal });

const kinds = [
  { kind: 'postgres' as const, server: 'PostgreSQL' },
  { kind: 'mysql' as const, server: 'MySQL or MariaDB' }
];

describe.each(kinds)(
  '$kind: a server that accepts the connection and hangs up at once',
  ({ kind, server }) => {
    it('gets a clear answer after a few attempts, and no attempt after it', { timeout: 60_000 }, async () => {
      const fake = await fakeServer('hang-up');
      const { value: result } = await within(TEST_DEADLINE_S + 5, test(kind, '127.0.0.1', fake.port));
      expect(result).toEqual({
        ok: false,
        problem: 'other',
        message: `The server at 127.0.0.1:${fake.port} accepted the connection and closed it straight away; is it a ${server} server?`
      });
      expect(fake.accepted).toBeGreaterThanOrEqual(1);
      expect(fake.accepted).toBeLessThanOrEqual(5);
      const answered = fake.accepted;
      await sleep(2000);
      expect(fake.accepted).toBe(answered);
    });

    it('reading the schema of a saved connection stops the same way', { timeout: 90_000 }, async () => {
      const fake = await fakeServer('hang-up');
      const saved = await createConnection(t.db, box, {
        userId: owner.id,
        workspaceId: owner.workspaceId,
        input: { ...target(kind, '127.0.0.1', fake.port), name: `Hangs up ${kind}` }
      });
      const read = connectionSchema(t.db, box, { userId: owner.id, connectionId: saved.id, refresh: true });
      const settled = await within(
        SCHEMA_DEADLINE_S + 5,
        read.then(
          () => null,
          (e: Error) => e
        )
      );
      expect(settled.value?.message).toMatch(/accepted the connection and closed it straight away/);
      expect(fake.accepted).toBeLessThanOrEqual(5);
      const answered = fake.accepted;
      await sleep(2000);
      expect(fake.accepted).toBe(answered);
    });
  }
);

describe('postgres: attempts that drag on', () => {
  it('end at the deadline for the whole test, not one per attempt', { timeout: 60_000 }, async () => {
    // Each attempt is cut at 6 s, under the driver's 10 s limit for one attempt; three of them outlast 15 s.
    const fake = await fakeServer(6);
    const { value: result } = await within(TEST_DEADLINE_S + 5, test('postgres', '127.0.0.1', fake.port));
    expect(result).toEqual({
      ok: false,
      problem: 'timeout',
      message: `No answer from 127.0.0.1:${fake.port} within ${TEST_DEADLINE_S} s (timed out). A firewall may be in the way.`
    });
    expect(await eventually(() => fake.open === 0)).toBe(true);
    const answered = fake.accepted;
    expect(answered).toBeLessThanOrEqual(5);
    await sleep(2000);
    expect(fake.accepted).toBe(answered);
  });
});

describe.each(kinds)('$kind: the request going away stops the work', ({ kind }) => {
  it(
    'stops a test against a server that never answers, and closes its socket',
    { timeout: 60_000 },
    async () => {
      const fake = await fakeServer('silent');
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 300);
      const { value: result, ms } = await within(
        TEST_DEADLINE_S + 5,
        test(kind, '127.0.0.1', fake.port, abort.signal)
      );
      expect(result).toMatchObject({ ok: false, message: expect.stringContaining('cancelled') });
      // The drivers' own limit for an answer is 10 s; stopping must not wait for it.
      expect(ms).toBeLessThan(5000);
      expect(await eventually(() => fake.open === 0)).toBe(true);
      const stopped = fake.accepted;
      await sleep(2000);
      expect(fake.accepted).toBe(stopped);
      expect(stopped).toBeLessThanOrEqual(5);
    }
  );

  it('stops a schema read the same way', { timeout: 60_000 }, async () => {
    const fake = await fakeServer('silent');
    const saved = await createConnection(t.db, box, {
      userId: owner.id,
      workspaceId: owner.workspaceId,
      input: { ...target(kind, '127.0.0.1', fake.port), name: `Silent ${kind}` }
    });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    const read = connectionSchema(t.db, box, {
      userId: owner.id,
      connectionId: saved.id,
      refresh: true,
      signal: abort.signal
    });
    const { value: error, ms } = await within(
      SCHEMA_DEADLINE_S + 5,
      read.then(
        () => null,
        (e: Error) => e
      )
    );
    expect(error?.message).toMatch(/cancelled/);
    expect(ms).toBeLessThan(5000);
    expect(await eventually(() => fake.open === 0)).toBe(true);
  });
});

describe('the signal of a request whose client went away', () => {
  // SvelteKit's request.signal aborts only while the body is still arriving; a test's body has been read.
  it('aborts once the client hangs up after sending a POST body, as under adapter-node', async () => {
    const seen: Promise<boolean>[] = [];
    const server = createHttpServer((req, res) => {
      seen.push(
        (async () => {
          const request = await getRequest({ request: req, base: 'http://sheaf.test' });
          await request.json();
          const gone = requestGone(request, { req });
          try {
            const aborted = new Promise<boolean>((r) => gone.signal.addEventListener('abort', () => r(true)));
            return await Promise.race([aborted, sleep(5000).then(() => false)]);
          } finally {
            gone.done();
            res.end();
          }
        })()
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const body = '{"kind":"postgres"}';
    const client = connect(port, '127.0.0.1', () =>
      client.write(
        `POST /api/connections/test HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
          `content-length: ${body.length}\r\n\r\n${body}`
      )
    );
    await eventually(() => seen.length === 1);
    await sleep(100);
    client.destroy();
    expect(await seen[0]).toBe(true);
    server.close();
  });
});

describe('loopback spelled another way is refused before any connection is made', () => {
  const spellings = [
    '::ffff:7f00:1',
    '0:0:0:0:0:0:0:1',
    '::0:1',
    '0000::0001',
    '[::1]',
    '::ffff:0:7f00:1',
    '::127.0.0.1',
    '127.1',
    '0x7f.0.0.1',
    '2130706433',
    '017700000001',
    '0177.0.0.1'
  ];

  it.each(kinds)('$kind', { timeout: 120_000 }, async ({ kind }) => {
    // Listening on :: takes IPv4 (127.0.0.1) and IPv6 (::1) connections alike, where the machine has IPv6.
    const fake = await fakeServer('hang-up', '::').catch(() => fakeServer('hang-up'));
    const allowed = process.env.CONNECTION_ALLOW_HOSTS;
    process.env.CONNECTION_ALLOW_HOSTS = ''; // the tests' default lets 127.0.0.1 through, however spelled
    try {
      for (const host of [...spellings, '::ffff:a9fe:a9fe']) {
        const result = await test(kind, host, fake.port);
        expect(result, host).toMatchObject({ ok: false, problem: 'refused' });
        if (!result.ok) {
          expect(result.message, host).toContain(`This server does not connect to ${host}`);
          expect(result.message, host).toContain('CONNECTION_ALLOW_HOSTS');
          expect(result.message, host).toMatch(
            host === '::ffff:a9fe:a9fe' ? /169\.254\.169\.254.*link-local/ : /this machine/
          );
        }
      }
      const saved = await createConnection(t.db, box, {
        userId: owner.id,
        workspaceId: owner.workspaceId,
        input: { ...target(kind, '::ffff:7f00:1', fake.port), name: `Mapped ${kind}` }
      });
      await expect(
        connectionSchema(t.db, box, { userId: owner.id, connectionId: saved.id, refresh: true })
      ).rejects.toThrow(/does not connect to ::ffff:7f00:1 \(127\.0\.0\.1\)/);
    } finally {
      process.env.CONNECTION_ALLOW_HOSTS = allowed;
    }
    expect(fake.accepted).toBe(0);
  });
});
