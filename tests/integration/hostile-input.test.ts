// Hostile input against the real server process (`npm start`'s server over the built app): everything a
// signed-up stranger could send to take the one process down for everyone. After each attack the process
// must still be running and answering, and the attacker must get a clear answer.
import { DuckDBInstance } from '@duckdb/node-api';
import { Field, Int32, List, Table, tableToIPC, vectorFromArray, type DataType } from 'apache-arrow';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApp,
  newNotebook,
  signUpOver,
  startApp,
  type AppProcess,
  type Visitor
} from './helpers/app-process';
import { awarenessFrame, closeOf, rawSocket, readAwarenessFrame, roundTrip, until } from './helpers/collab';
import { workbookWithCell } from './helpers/zip';

let app: AppProcess;
let mallory: Visitor;
const work = path.join(tmpdir(), `sheaf-hostile-${process.pid}`);
const staleUpload = { ws: 'stalewsxxxxxxxxx', dir: '.incoming-stalexxxxxxxxxxx' };

beforeAll(async () => {
  await mkdir(work, { recursive: true });
  buildApp();
  // ADDRESS_HEADER: as behind a proxy, so the test can log in from several addresses.
  app = await startApp(
    // Connections may reach this machine by the name "localhost" only, as an operator might allow a local
    // database: every other spelling of a loopback address must still be refused.
    {
      UPLOAD_MAX_UNCOMPRESSED_MB: '100',
      ADDRESS_HEADER: 'x-forwarded-for',
      CONNECTION_ALLOW_HOSTS: 'localhost'
    },
    async (dataDir) => {
      // What a crash in the middle of an upload leaves behind, last touched two hours ago.
      const dir = path.join(dataDir, 'files', staleUpload.ws, staleUpload.dir);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'original.csv'), 'a,b\n1,2\n');
      const old = new Date(Date.now() - 2 * 3600_000);
      await utimes(path.join(dir, 'original.csv'), old, old);
      await utimes(dir, old, old);
      // …and a stored result cut off the same way.
      const results = path.join(dataDir, 'results', 'stalenbxxxxxxxxx');
      await mkdir(results, { recursive: true });
      await writeFile(path.join(results, staleUpload.dir), 'ARROW1');
      await utimes(path.join(results, staleUpload.dir), old, old);
    }
  );
  mallory = await signUpOver(app);
}, 240_000);

afterAll(async () => {
  await app?.stop();
});

type Answer = { status: number; message: string };

async function uploadOver(name: string, body: Buffer, who = mallory): Promise<Answer> {
  const res = await fetch(
    `${app.base}/api/upload?workspace=${who.workspaceId}&name=${encodeURIComponent(name)}`,
    {
      method: 'POST',
      headers: { cookie: who.cookie, origin: app.base, 'x-sheaf-upload': '1' },
      body: new Uint8Array(body)
    }
  );
  const json = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  return { status: res.status, message: json.error?.message ?? '' };
}

/** Starts sending a 10 MB body, then drops the connection after 300 ms, as a closed tab would. */
function cutOff(url: string, method: string, filler: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const req = request(`${app.base}${url}`, {
      method,
      headers: {
        cookie: mallory.cookie,
        origin: app.base,
        'x-sheaf-upload': '1',
        'content-length': String(10 * 1024 ** 2)
      }
    });
    req.on('error', () => resolve());
    req.write(Buffer.alloc(256 * 1024, filler));
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 300);
  });
}

/** Files DuckDB writes for us: the attack files are made by the same engine users would use. */
async function duckdbFile(sql: (dest: string) => string, name: string): Promise<Buffer> {
  const dest = path.join(work, name);
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(sql(dest));
  conn.closeSync();
  return readFile(dest);
}

async function storedFiles(): Promise<string[]> {
  return readdir(path.join(app.dataDir, 'files', mallory.workspaceId)).catch(() => []);
}

describe('hostile uploads', () => {
  it('a 20 KB JSON nested 10,000 deep is refused clearly and the server stays up', async () => {
    const depth = 10_000;
    const body = Buffer.from(`{"a": ${'['.repeat(depth)}1${']'.repeat(depth)}}`);
    const r = await uploadOver('deep.json', body);
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/nested too deeply \(over 100 levels\)/);
    await app.alive();
    expect(await storedFiles()).toEqual([]);
  });

  it('an .xlsx holding one 200 MB string is refused without freezing the server', async () => {
    const body = workbookWithCell('A'.repeat(200 * 1024 ** 2));
    expect(body.length).toBeLessThan(300 * 1024);
    const pending = uploadOver('huge-cell.xlsx', body);
    // While it is being handled, the server keeps answering everyone else.
    let finished = false;
    void pending.finally(() => (finished = true));
    while (!finished) {
      await app.alive(2000);
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await pending;
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/more than 32,767 characters/);
    await app.alive();
  });

  it('a few hundred bytes of Parquet declaring 200 million rows are refused by the row cap', async () => {
    const body = await duckdbFile(
      (d) =>
        `copy (select 1::tinyint as a from range(200000000)) to '${d}' (format parquet, row_group_size 200000000)`,
      'bomb.parquet'
    );
    expect(body.length).toBeLessThan(1024);
    const r = await uploadOver('bomb.parquet', body);
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/more than 50,000,000 rows/);
    await app.alive();
  });

  it('a tiny Parquet whose one value unpacks to 400 MB is refused by the size cap (set to 100 MB)', async () => {
    const body = await duckdbFile(
      (d) => `copy (select repeat('a', 400000000) as s) to '${d}' (format parquet, compression zstd)`,
      'bigvalue.parquet'
    );
    expect(body.length).toBeLessThan(64 * 1024);
    const r = await uploadOver('bigvalue.parquet', body);
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/unpacks to .* more than the 100 MB an upload may hold/);
    await app.alive();
  });

  it('NUL in a file name, or in a column name after the first 8 KB, gets a clear 400', async () => {
    const named = await uploadOver('evil\u0000.csv', Buffer.from('a,b\n1,2\n'));
    expect(named.status).toBe(400);
    expect(named.message).toMatch(/control character/);
    const header = ['x'.repeat(9000), 'b\u0000c'].join(',');
    const column = await uploadOver('nul-column.csv', Buffer.from(`${header}\n1,2\n`));
    expect(column.status).toBe(400);
    expect(column.message).toMatch(/Column 2's name contains a NUL character/);
    await app.alive();
    expect(await storedFiles()).toEqual([]);
  });

  it('errors about a broken file never show the server’s paths', async () => {
    const r = await uploadOver('broken.parquet', Buffer.from('PAR1'));
    expect(r.status).toBe(400);
    expect(r.message).toMatch(/not a readable Parquet file/);
    expect(r.message).not.toContain(app.dataDir);
    expect(r.message).not.toMatch(/\.incoming-|\/files\//);
  });

  it('a sender that goes away mid-upload is not logged as a failure, and nothing is left behind', async () => {
    const notebookId = await newNotebook(app, mallory);
    const before = app.output().length;
    await cutOff(`/api/upload?workspace=${mallory.workspaceId}&name=cut.csv`, 'POST', 'a,b\n');
    await cutOff(`/api/results/${notebookId}/cell_1/run_1`, 'PUT', 'ARROW1');
    await new Promise((r) => setTimeout(r, 500));
    await app.alive();
    expect(app.output().slice(before)).not.toMatch(/failed|Error:|\n\s+at /);
    expect((await storedFiles()).filter((f) => f.startsWith('.incoming-'))).toEqual([]);
    const results = await readdir(path.join(app.dataDir, 'results', notebookId)).catch(() => []);
    expect(results.filter((f) => f.startsWith('.incoming-'))).toEqual([]);
  });

  it('one person cannot keep more than 4 uploads in progress', async () => {
    const hanging = Array.from({ length: 4 }, () => {
      const req = request(`${app.base}/api/upload?workspace=${mallory.workspaceId}&name=slow.csv`, {
        method: 'POST',
        headers: {
          cookie: mallory.cookie,
          origin: app.base,
          'x-sheaf-upload': '1',
          'content-length': String(1024 ** 2)
        }
      });
      req.on('error', () => undefined);
      req.write('a,b\n');
      return req;
    });
    await new Promise((r) => setTimeout(r, 500));
    const fifth = await uploadOver('fifth.csv', Buffer.from('a,b\n1,2\n'));
    expect(fifth.status).toBe(429);
    expect(fifth.message).toMatch(/4 uploads in progress/);
    for (const req of hanging) req.destroy();
    let after = fifth;
    for (let i = 0; i < 20 && after.status === 429; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await uploadOver('after.csv', Buffer.from('a,b\n1,2\n'));
    }
    expect(after.status).toBe(201);
    await app.alive();
  });

  it('half-written uploads and results a crash left behind are removed when the server starts', async () => {
    const left = await readdir(path.join(app.dataDir, 'files', staleUpload.ws)).catch(() => []);
    expect(left).not.toContain(staleUpload.dir);
    const results = await readdir(path.join(app.dataDir, 'results', 'stalenbxxxxxxxxx')).catch(() => []);
    expect(results).not.toContain(staleUpload.dir);
  });
});

describe('hostile requests', () => {
  it('a stored result whose type nests 40 levels deep is refused before DuckDB ever sees it', async () => {
    let type: DataType = new Int32();
    let value: unknown = 1;
    for (let i = 0; i < 40; i++) {
      type = new List(new Field('item', type, true));
      value = [value];
    }
    const body = tableToIPC(new Table({ deep: vectorFromArray([value], type) }), 'stream');
    const notebookId = await newNotebook(app, mallory);
    const res = await fetch(`${app.base}/api/results/${notebookId}/cell_1/run_1`, {
      method: 'PUT',
      headers: { cookie: mallory.cookie, origin: app.base, 'x-sheaf-upload': '1' },
      body: new Uint8Array(body)
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /nests lists or structs more than 32 levels/
    );
    await app.alive();
  });

  it('a foreign Origin is refused on every write-like route, raw or not', async () => {
    const evil = { origin: 'https://evil.example', cookie: mallory.cookie };
    const schema = await fetch(`${app.base}/api/connections/aaaaaaaaaaaaaaaa/schema`, {
      method: 'POST',
      headers: evil
    });
    expect(schema.status).toBe(403);
    const test = await fetch(`${app.base}/api/connections/test`, {
      method: 'POST',
      headers: { ...evil, 'content-type': 'application/json' },
      body: JSON.stringify({ workspaceId: mallory.workspaceId, kind: 'postgres', host: 'db.example' })
    });
    expect(test.status).toBe(403);
    const query = await fetch(`${app.base}/api/connections/aaaaaaaaaaaaaaaa/query`, {
      method: 'POST',
      headers: { ...evil, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'select 1' })
    });
    expect(query.status).toBe(403);
    const upload = await fetch(`${app.base}/api/upload?workspace=${mallory.workspaceId}&name=a.csv`, {
      method: 'POST',
      headers: { ...evil, 'x-sheaf-upload': '1' },
      body: 'a\n1\n'
    });
    expect(upload.status).toBe(403);
    // The same request from our own pages is not refused for its origin.
    const own = await fetch(`${app.base}/api/connections/aaaaaaaaaaaaaaaa/schema`, {
      method: 'POST',
      headers: { origin: app.base, cookie: mallory.cookie }
    });
    expect(own.status).toBe(404);
  });

  it('NUL bytes in form fields get a clear 400, not a database error', async () => {
    const res = await fetch(`${app.base}/signup`, {
      method: 'POST',
      headers: {
        origin: app.base,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'x-forwarded-for': '192.0.2.1'
      },
      body: new URLSearchParams({
        email: 'nul@example.test',
        name: 'Nul\u0000Byte',
        password: 'correct horse battery'
      })
    });
    const text = await res.text();
    expect(text).toMatch(/NUL character/);
    await app.alive();
  });
});

describe('hostile logins', () => {
  async function logInOver(
    email: string,
    password: string,
    from: string,
    extra: Record<string, string> = {}
  ) {
    const res = await fetch(`${app.base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        origin: app.base,
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-for': from,
        ...extra
      },
      body: new URLSearchParams({ email, password })
    });
    const device = /sheaf_device=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
    return { status: res.status, device, retryAfter: res.headers.get('retry-after') };
  }

  it('50 wrong passwords from elsewhere do not lock the owner out; the guesser is slowed down', async () => {
    const victim = await signUpOver(app, 'Victim');
    const first = await logInOver(victim.email, victim.password, '198.51.100.7');
    expect(first.status).toBe(303);
    expect(first.device).toBeTruthy();
    const answers: number[] = [];
    for (let i = 0; i < 50; i++) {
      answers.push((await logInOver(victim.email, `guess ${i}`, '203.0.113.66')).status);
    }
    expect(answers.slice(-10).every((s) => s === 429)).toBe(true);
    const limited = await logInOver(victim.email, 'another guess', '203.0.113.66');
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    // The owner's own browser (it logged in before) gets in…
    const home = await logInOver(victim.email, victim.password, '198.51.100.7', {
      cookie: first.device!
    });
    expect(home.status).toBe(303);
    // …and so does the owner from a new place, with no history at all.
    const away = await logInOver(victim.email, victim.password, '192.0.2.44');
    expect(away.status).toBe(303);
    await app.alive();
  });

  it('a crafted next= cannot send a signed-in person to another site', async () => {
    for (const next of [
      '/.//evil.example',
      '/..//evil.example',
      '/%2e//evil.example',
      '/%2e%2e//evil.example'
    ]) {
      const res = await fetch(`${app.base}/login?next=${encodeURIComponent(next)}`, {
        redirect: 'manual',
        headers: { cookie: mallory.cookie }
      });
      expect(res.status).toBe(303);
      const location = res.headers.get('location') ?? '';
      expect(location.startsWith('/')).toBe(true);
      expect(location.startsWith('//')).toBe(false);
      expect(new URL(location, app.base).origin).toBe(app.base);
    }
  });
});

describe('hostile connections', () => {
  /** A TCP server on loopback (both families) that counts connections and either hangs up or stays silent. */
  async function listener(mode: 'hang-up' | 'silent') {
    const sockets = new Set<Socket>();
    let accepted = 0;
    const server = createNetServer((socket) => {
      accepted++;
      socket.on('error', () => undefined);
      if (mode === 'hang-up') return void socket.destroy();
      socket.resume(); // read and ignore what the client says, so its hanging up is seen
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((r) => server.listen({ port: 0, host: '::', ipv6Only: false }, r));
    return {
      port: (server.address() as AddressInfo).port,
      accepted: () => accepted,
      open: () => sockets.size,
      close: () => {
        for (const s of sockets) s.destroy();
        return new Promise<void>((r) => server.close(() => r()));
      }
    };
  }

  function testConnection(host: string, port: number, signal?: AbortSignal) {
    return fetch(`${app.base}/api/connections/test`, {
      method: 'POST',
      signal,
      headers: { origin: app.base, cookie: mallory.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        workspaceId: mallory.workspaceId,
        kind: 'postgres',
        host,
        port,
        database: 'postgres',
        user: 'postgres',
        password: 'secret',
        ssl: 'disable'
      })
    });
  }

  it('"Test connection" against a server that hangs up at once answers, and stops trying', async () => {
    const target = await listener('hang-up');
    try {
      const res = await testConnection('localhost', target.port);
      const body = (await res.json()) as { ok: boolean; message: string };
      expect(body.ok).toBe(false);
      expect(body.message).toMatch(/accepted the connection and closed it straight away/);
      const after = target.accepted();
      expect(after).toBeLessThanOrEqual(5);
      await new Promise((r) => setTimeout(r, 2000));
      expect(target.accepted()).toBe(after);
      await app.alive();
    } finally {
      await target.close();
    }
  });

  it('"Test connection" stops when the browser leaves', async () => {
    const target = await listener('silent');
    try {
      const leave = new AbortController();
      const pending = testConnection('localhost', target.port, leave.signal).catch(() => null);
      const until = Date.now() + 5000;
      while (target.open() === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(target.open()).toBeGreaterThan(0);
      leave.abort();
      await pending;
      const closedBy = Date.now() + 3000;
      while (target.open() > 0 && Date.now() < closedBy) await new Promise((r) => setTimeout(r, 50));
      expect(target.open()).toBe(0);
      const accepted = target.accepted();
      await new Promise((r) => setTimeout(r, 1500));
      expect(target.accepted()).toBe(accepted);
      await app.alive();
    } finally {
      await target.close();
    }
  });

  it('no spelling of a loopback or metadata address gets a connection out of the server', async () => {
    const target = await listener('hang-up');
    try {
      const spellings = [
        '::ffff:7f00:1',
        '0:0:0:0:0:0:0:1',
        '::0:1',
        '0000::0001',
        '::ffff:0:7f00:1',
        '::127.0.0.1',
        '[::1]',
        '127.1',
        '0x7f.0.0.1',
        '2130706433',
        '017700000001',
        '::ffff:a9fe:a9fe',
        '64:ff9b::7f00:1',
        '2002:7f00:1::'
      ];
      for (const host of spellings) {
        const body = (await (await testConnection(host, target.port)).json()) as {
          ok?: boolean;
          message?: string;
        };
        expect(body.ok, host).toBe(false);
        expect(body.message, host).toMatch(/does not connect to/);
      }
      expect(target.accepted()).toBe(0);
      await app.alive();
    } finally {
      await target.close();
    }
  });
});

describe('hostile presence', () => {
  it('a malformed cursor never reaches co-editors, a 28 MB presence flood is cut off, garbage frames are shrugged off', async () => {
    const notebookId = await newNotebook(app, mallory);
    const port = Number(new URL(app.base).port);
    const token = mallory.cookie.slice('sheaf_session='.length);
    const observer = await rawSocket(port, notebookId, token);
    const seen = new Map<number, { count: number; bytes: number; states: unknown[] }>();
    observer.on('message', (data: Buffer) => {
      for (const e of readAwarenessFrame(new Uint8Array(data)) ?? []) {
        const mine = seen.get(e.clientId) ?? { count: 0, bytes: 0, states: [] };
        mine.count++;
        mine.bytes += JSON.stringify(e.state).length;
        if (mine.states.length < 5) mine.states.push(e.state);
        seen.set(e.clientId, mine);
      }
    });
    await roundTrip(observer);

    const attacker = await rawSocket(port, notebookId, token);
    const bad = { type: { client: 'x', clock: 'y' }, tname: null, item: null, assoc: 0 };
    attacker.send(
      awarenessFrame([{ clientId: 7001, clock: 1, state: { cursor: { anchor: bad, head: bad } } }])
    );
    // The same connection's well-formed state does get through: presence works, only the bad cursor is dropped.
    attacker.send(awarenessFrame([{ clientId: 7001, clock: 2, state: { cursor: null } }]));
    await roundTrip(attacker);
    await until(() => (seen.get(7001)?.count ?? 0) > 0, 'the well-formed state to arrive');

    const flooder = await rawSocket(port, notebookId, token);
    const closed = closeOf(flooder);
    const padding = 'x'.repeat(4_000);
    for (let clock = 1; clock <= 7_000; clock++) {
      flooder.send(awarenessFrame([{ clientId: 7002, clock, state: { cursor: null, padding } }]));
    }
    await until(() => closed.value !== null, 'the flooder to be closed', 20_000);
    await roundTrip(observer);
    const states = (seen.get(7001)?.states ?? []) as { cursor?: unknown }[];
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((st) => st.cursor === null)).toBe(true);
    expect(seen.get(7002)?.bytes ?? 0).toBeLessThan(100_000);
    expect(closed.value?.code).toBe(1008);
    // Garbage frames: truncated varints, unknown message types, text, a sync message with a broken update.
    for (const frame of [
      new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      new Uint8Array([9, 1, 2, 3]),
      new Uint8Array([0, 2, 200, 1, 2, 3]),
      new Uint8Array([1, 50, 1])
    ]) {
      attacker.send(frame);
    }
    attacker.send('not binary');
    await new Promise((r) => setTimeout(r, 300));
    await roundTrip(observer);
    attacker.close();
    observer.close();
    await app.alive();
  });
});
