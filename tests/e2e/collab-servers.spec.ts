// Two people on two different Sheaf servers co-edit one notebook: the e2e build run twice more, on one PostgreSQL
// schema, one DATA_DIR and a Redis of the spec's own, as deploy/ runs them. Characters, cells, presence, results
// and stale marks cross between the servers; a Redis outage leaves each server serving its own people, and what they
// type crosses once it is back; when one person's server dies, their page says it is reconnecting, keeps what they
// type, and sends it once the server is back.
import { expect, test, type Browser } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { startApp, type AppProcess } from '../integration/helpers/app-process';
import { durableDb } from '../integration/helpers/durable-db';
import { startRedis, type RedisServer } from '../integration/helpers/redis-server';
import { expectSource, invite, signUp, sourceText, typeSql } from './helpers';

let store: Awaited<ReturnType<typeof durableDb>>;
let redis: RedisServer;
let env: Record<string, string>;
const servers: AppProcess[] = [];

test.beforeAll(async () => {
  // Several processes share one database: PGlite is one process's (npm test provides PostgreSQL).
  if (!process.env.TEST_DATABASE_URL) throw new Error('collab-servers needs TEST_DATABASE_URL (npm test)');
  test.setTimeout(120_000);
  store = await durableDb();
  redis = await startRedis();
  env = {
    ...store.env,
    DATA_DIR: store.dataDir,
    REDIS_URL: redis.url,
    SECRET_KEY: randomBytes(32).toString('base64')
  };
  // The build is the one Playwright's web server made before any spec runs.
  servers.push(...(await Promise.all([startApp(env), startApp(env)])));
});

test.afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await redis?.stop();
  await store?.cleanup();
});

async function personOn(browser: Browser, base: string, name: string) {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const who = await signUp(page, name);
  return { context, page, ...who };
}

test('two people on two servers co-edit one notebook; a dead server shows as reconnecting', async ({
  browser
}) => {
  test.setTimeout(180_000);
  const [a, b] = servers as [AppProcess, AppProcess];
  const ada = await personOn(browser, a.base, 'Ada On A');
  const bob = await personOn(browser, b.base, 'Bob On B');
  // The invite link is server A's; Bob's session (a cookie for this host, any port) works on both.
  await invite(ada.page, ada.workspaceUrl, 'editor', bob.page);
  await ada.page.goto(ada.workspaceUrl);
  await ada.page.getByRole('button', { name: 'New notebook' }).click();
  await expect(ada.page.getByTestId('connection-status')).toHaveText('connected');
  const notebook = new URL(ada.page.url()).pathname;
  await bob.page.goto(notebook);
  expect(new URL(bob.page.url()).origin).toBe(b.base);

  // Presence crosses: each sees both avatars and the other's name.
  for (const p of [ada.page, bob.page]) {
    await expect(p.getByTestId('connection-status')).toHaveText('connected');
    await expect(p.getByTestId('presence-avatar')).toHaveCount(2);
  }
  await expect(ada.page.getByRole('list', { name: 'People here' })).toContainText('Bob On B');
  await expect(bob.page.getByRole('list', { name: 'People here' })).toContainText('Ada On A');

  // Characters, with the typist's cursor, both ways.
  await typeSql(ada.page, 0, 'select 41 as x');
  await expectSource(bob.page, 0, 'select 41 as x');
  await expect(bob.page.locator('.cm-ySelectionInfo', { hasText: 'Ada On A' })).toHaveCount(1);

  // Ada runs it, which opens a second cell; Bob writes a query on her result there and runs it on server B
  // (reading the result Ada's run stored through server A: one DATA_DIR).
  await ada.page.getByTestId('cell').nth(0).locator('.cm-content').click();
  await ada.page.keyboard.press('Shift+Enter');
  await expect(bob.page.getByTestId('cell')).toHaveCount(2);
  await expect(bob.page.getByTestId('cell').nth(0).getByTestId('result-row').first()).toContainText('41', {
    timeout: 60_000
  });
  await typeSql(bob.page, 1, 'select x + 1 as y from query_1');
  await expectSource(ada.page, 1, 'select x + 1 as y from query_1');
  await bob.page.getByTestId('cell').nth(1).getByRole('button', { name: 'Run cell', exact: true }).click();
  await expect(ada.page.getByTestId('cell').nth(1).getByTestId('result-row').first()).toContainText('42', {
    timeout: 60_000
  });
  // A cell Bob adds appears for Ada.
  await bob.page.getByRole('button', { name: 'Add Text cell below cell 2' }).click();
  await bob.page.keyboard.type('# Notes');
  await expect(ada.page.getByTestId('cell')).toHaveCount(3);
  await expectSource(ada.page, 2, '# Notes');

  // Ada edits her query: her cell and Bob's, which reads it, go stale for both of them.
  await typeSql(ada.page, 0, 'select 1 as x');
  for (const p of [ada.page, bob.page]) {
    await expect(p.getByTestId('cell').nth(0).getByTestId('stale')).toContainText(
      'The SQL changed since this ran.'
    );
    await expect(p.getByTestId('cell').nth(1).getByTestId('stale')).toContainText(
      'reads query_1, which is stale'
    );
  }

  // Redis goes away: each server keeps serving its own people, whose connections are untouched, and each page says
  // that the other server's edits are held up; what they type meanwhile is stored, and crosses once Redis is back.
  await redis.stop();
  for (const p of [ada.page, bob.page])
    await expect(p.getByTestId('connection-status')).toHaveText(
      'connected — reconnecting to other servers; their edits will follow'
    );
  await typeSql(ada.page, 0, 'select 3 as x');
  // (Bob's text cell's editor is still open from typing in it.)
  await bob.page.getByTestId('cell').nth(2).locator('.cm-content').click();
  await bob.page.keyboard.press('Control+End');
  await bob.page.keyboard.type(' during the outage');
  await redis.restart();
  for (const p of [ada.page, bob.page])
    await expect(p.getByTestId('connection-status')).toHaveText('connected', { timeout: 30_000 });
  await expect.poll(() => sourceText(bob.page, 0), { timeout: 30_000 }).toBe('select 3 as x');
  await expect.poll(() => sourceText(ada.page, 2), { timeout: 30_000 }).toBe('# Notes during the outage');

  // Bob's server dies: his page says so and keeps what he types; Ada's server carries on.
  await b.crash();
  await expect(bob.page.getByTestId('connection-status')).toHaveText('reconnecting…');
  await expect(ada.page.getByTestId('connection-status')).toHaveText('connected');
  await expect(ada.page.getByTestId('presence-avatar')).toHaveCount(1, { timeout: 60_000 });
  await bob.page.getByTestId('cell').nth(2).locator('.cm-content').click();
  await bob.page.keyboard.press('Control+End');
  await bob.page.keyboard.type(' while B was down');
  await typeSql(ada.page, 0, 'select 2 as x');

  // Server B comes back where it was; Bob's page reconnects by itself and both converge.
  await b.stop();
  servers[1] = await startApp({ ...env, PORT: new URL(b.base).port });
  await expect(bob.page.getByTestId('connection-status')).toHaveText('connected', { timeout: 30_000 });
  await expectSource(ada.page, 2, '# Notes during the outage while B was down');
  await expectSource(bob.page, 0, 'select 2 as x');
  for (const p of [ada.page, bob.page]) await expect(p.getByTestId('presence-avatar')).toHaveCount(2);

  await ada.context.close();
  await bob.context.close();
});
