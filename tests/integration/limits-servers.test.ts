// What must hold across app servers (issue 23), with two real server processes on one PostgreSQL, one DATA_DIR and
// one Redis: login and sign-up limits count attempts wherever they land; publishing one notebook on both servers
// at once takes turns (every publish succeeds and the snapshot left is whole); a dashboard viewer's re-runs are
// limited across servers; a comment posted through one server signals clients on the other.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedCells, type NewCell } from '../../cells/document';
import { addToLayout } from '../../cells/layout';
import { onCommentsChanged } from '../../src/lib/collab/comments-signal';
import { createSignupLimiter } from '../../server/auth/rate-limit';
import { secretBox } from '../../server/connectors/secret-box';
import { createConnection } from '../../server/connectors/store';
import { createNotebook } from '../../server/notebooks/notebooks';
import { publicationRow } from '../../server/publish/publication-store';
import { publish } from '../../server/publish/publications';
import { turnLock } from '../../server/publish/refresh-turns';
import { DASHBOARD_FILE, publicationDir } from '../../server/publish/snapshot';
import { buildApp, signUpOver, type AppProcess } from './helpers/app-process';
import { startAppPair, type AppPair } from './helpers/app-pair';
import { connect, destroyClients, synced, until } from './helpers/collab';
import { editStoredDoc } from './helpers/edit-stored-doc';
import { person } from './helpers/people';
import { sampleDb, type SampleDb } from './helpers/sample-db';

let pair: AppPair;
let sample: SampleDb;

beforeAll(async () => {
  buildApp();
  sample = await sampleDb(0);
  pair = await startAppPair({
    CONNECTION_ALLOW_HOSTS: '127.0.0.1,localhost',
    // Small, so a test spends it in a few requests.
    LIVE_CELL_RATE_PER_MINUTE: '2'
  });
}, 300_000);

afterAll(async () => {
  destroyClients();
  await pair?.stop();
  await sample?.cleanup();
});

/** A form action as SvelteKit's enhanced forms post it: the answer is JSON with the action's status. */
async function action(
  app: AppProcess,
  where: string,
  fields: Record<string, string>,
  opts: { cookie?: string; from?: string } = {}
) {
  const res = await fetch(`${app.base}${where}`, {
    method: 'POST',
    headers: {
      origin: app.base,
      'x-sveltekit-action': 'true',
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': opts.from ?? '192.0.2.1',
      ...(opts.cookie ? { cookie: opts.cookie } : {})
    },
    body: new URLSearchParams(fields)
  });
  const body = (await res.json()) as { type: string; status: number; data?: string };
  // A success redirects (login, sign-up) or answers 200; a failure carries the AppError's status.
  return body.type === 'failure' ? body.status : body.type === 'redirect' ? 303 : 200;
}

const servers = () => [pair.a, pair.b];

/** Sessions waiting for the advisory lock named `name` (Db.exclusively: pg_advisory_lock(hashtext(name))). */
async function waitingFor(name: string): Promise<number> {
  const [row] = await pair.db.query<{ n: number }>(
    `select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted and objsubid = 1
       and objid::bigint = (hashtext($1)::bigint & 4294967295)`,
    [name]
  );
  return row!.n;
}

describe('login and sign-up limits', () => {
  it('counts wrong passwords for one account from one network on both servers together', async () => {
    const owner = await signUpOver(pair.a, 'Owner');
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const app = servers()[i % 2]!;
      codes.push(
        await action(app, '/login', { email: owner.email, password: `guess ${i}` }, { from: '203.0.113.9' })
      );
    }
    // 5 tries per account and network (rate-limit.ts), not 5 per server.
    expect(codes.filter((c) => c === 400 || c === 401)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(5);
  });

  it('counts sign-ups from one network on both servers together', async () => {
    const from = '203.0.113.77';
    // 96 of the network's 100 sign-ups spent beforehand (each real one costs a password hash).
    const limiter = createSignupLimiter(pair.db);
    for (let i = 0; i < 96; i++) expect((await limiter.consume(`signup:${from}`)).ok).toBe(true);
    const signUp = (app: AppProcess, i: number) =>
      action(
        app,
        '/signup',
        { email: `bot${i}.${Date.now()}@example.test`, name: 'Bot', password: 'correct horse battery' },
        { from }
      );
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push(await signUp(servers()[i % 2]!, i));
    expect(codes).toEqual([303, 303, 303, 303, 429, 429]);
  });
});

describe('publishing on two servers at once', () => {
  it('takes turns: every publish succeeds and the snapshot left is whole and alone', async () => {
    const ann = await person(pair.db, 'Publishing Ann');
    // Several charts: a build draws them (in a child process) between creating its folder and putting it in
    // place, so two builds that do not take turns overlap there, and one deletes the other's folder.
    const cells: NewCell[] = [1, 2, 3, 4].flatMap((n): NewCell[] => [
      {
        kind: 'sql',
        name: `part_${n}`,
        source: `select range % 7 as x, range * ${n} as y from range(20000)`
      },
      {
        kind: 'chart',
        config: {
          mode: 'builder',
          source: `part_${n}`,
          mark: 'bar',
          x: { field: 'x', type: 'nominal' },
          y: { field: 'y', type: 'quantitative', aggregate: 'sum' }
        }
      }
    ]);
    const nb = await createNotebook(pair.db, ann.id, ann.workspaceId, { title: 'Turns' }, cells);
    const notebookId = nb.id;
    await editStoredDoc(pair.db, notebookId, (doc) => {
      for (const c of orderedCells(doc)) addToLayout(doc, c, c.kind === 'chart' ? 'chart' : 'table');
    });
    const publishOn = (app: AppProcess) =>
      action(
        app,
        `/n/${notebookId}?/publish`,
        { visibility: 'public' },
        { cookie: `sheaf_session=${ann.token}` }
      );
    const dir = publicationDir(pair.dataDir, notebookId);
    const expectOneWholeSnapshot = async () => {
      const row = (await publicationRow(pair.db, notebookId))!;
      expect(await readdir(dir)).toEqual([row.snapshot_id]);
      const file = path.join(dir, row.snapshot_id!, DASHBOARD_FILE);
      expect((JSON.parse(await readFile(file, 'utf8')) as { items: unknown[] }).items).toHaveLength(8);
    };

    // While a third party (this test, as another server would) holds the notebook's turn, both servers wait for
    // it — seen in PostgreSQL's lock table — and then both publish.
    let publishing: Promise<number[]> | undefined;
    await pair.db.exclusively(turnLock(notebookId), async () => {
      const both = Promise.all([publishOn(pair.a), publishOn(pair.b)]);
      let settled = false;
      publishing = both.finally(() => (settled = true));
      while ((await waitingFor(turnLock(notebookId))) < 2) {
        if (settled) throw new Error('a publish went ahead while another server held the turn');
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    expect(await publishing).toEqual([200, 200]);
    await expectOneWholeSnapshot();

    // Left to themselves, several at once on both: all succeed and what is left is whole.
    for (let round = 0; round < 2; round++) {
      const all = await Promise.all([
        publishOn(pair.a),
        publishOn(pair.b),
        publishOn(pair.a),
        publishOn(pair.b)
      ]);
      expect(all).toEqual([200, 200, 200, 200]);
      await expectOneWholeSnapshot();
    }
  }, 300_000);
});

describe("a dashboard viewer's re-runs", () => {
  it('are limited across servers: the third miss is refused wherever it lands', async () => {
    const ann = await person(pair.db, 'Live Ann');
    const conn = await createConnection(pair.db, secretBox(pair.key), {
      userId: ann.id,
      workspaceId: ann.workspaceId,
      input: {
        name: 'Warehouse',
        host: sample.host,
        port: sample.port,
        database: sample.database,
        user: sample.role,
        password: sample.password,
        ssl: 'disable'
      }
    });
    const region: NewCell = {
      kind: 'input',
      name: 'region',
      config: {
        widget: 'dropdown',
        label: 'Region',
        options: { from: 'list', values: ['north', 'south', 'east', 'west'] },
        value: 'north'
      }
    };
    const picked: NewCell = {
      kind: 'sql',
      name: 'picked',
      source: 'select {{region}} as region',
      config: { engine: conn.id }
    };
    const nb = await createNotebook(pair.db, ann.id, ann.workspaceId, { title: 'Live' }, [region, picked]);
    await editStoredDoc(pair.db, nb.id, (doc) => {
      for (const c of orderedCells(doc)) addToLayout(doc, c, c.kind === 'input' ? 'input' : 'table');
    });
    const { slug } = await publish(
      pair.db,
      { dataDir: pair.dataDir, secretBox: () => secretBox(pair.key) },
      ann.id,
      nb.id,
      { visibility: 'public' }
    );
    const ask = async (app: AppProcess, value: string, from = '198.51.100.5') => {
      const values = encodeURIComponent(JSON.stringify({ region: value }));
      const res = await fetch(`${app.base}/d/${slug}/cells/picked?values=${values}`, {
        headers: { 'x-forwarded-for': from }
      });
      return res.status;
    };
    // LIVE_CELL_RATE_PER_MINUTE is 2 per viewer: one run on each server spends it.
    expect([await ask(pair.a, 'south'), await ask(pair.b, 'east'), await ask(pair.a, 'west')]).toEqual([
      200, 200, 429
    ]);
    // The refusal was this viewer's budget, not the dashboard's: someone else still gets a run.
    expect(await ask(pair.b, 'west', '198.51.100.6')).toBe(200);
  }, 120_000);
});

describe('comments', () => {
  it('posted through one server signal a client connected to the other', async () => {
    const ada = await person(pair.db, 'Commenting Ada');
    const nb = await createNotebook(pair.db, ada.id, ada.workspaceId, { title: 'Talk' });
    const client = connect(Number(new URL(pair.b.base).port), nb.id, ada.token);
    await synced(client);
    let signals = 0;
    onCommentsChanged(client.provider, () => signals++);
    const res = await fetch(`${pair.a.base}/api/notebooks/${nb.id}/comments`, {
      method: 'POST',
      headers: {
        origin: pair.a.base,
        cookie: `sheaf_session=${ada.token}`,
        'content-type': 'application/json'
      },
      body: JSON.stringify({ cellId: orderedCells(client.doc)[0]!.id, body: 'Posted on A' })
    });
    expect(res.status).toBe(201);
    await until(() => signals > 0, 'the signal on server B');
  });
});
