// kill -9 the collaboration server while people type; after a restart nothing any client had received is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { orderedCells } from '../../cells/document';
import { createNotebook } from '../../server/notebooks/notebooks';
import { connect, destroyClients, synced, until, type Client } from './helpers/collab';
import { durableDb } from './helpers/durable-db';
import { freePort } from './helpers/free-port';
import { join, person } from './helpers/people';

const children: ChildProcess[] = [];
afterAll(() => {
  destroyClients();
  children.forEach((c) => c.kill('SIGKILL'));
});

function startServer(env: Record<string, string>, port: number): Promise<ChildProcess> {
  // One process (not tsx's CLI, which forks a child that SIGKILL would orphan).
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/integration/helpers/collab-process.ts'], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit']
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`collab server exited early (${code})`)));
  });
}

/** True when everything in `update` is already part of `doc`. */
function contained(update: Uint8Array, doc: Y.Doc): boolean {
  const missing = Y.decodeUpdate(Y.diffUpdate(update, Y.encodeStateVector(doc)));
  return missing.structs.length === 0;
}

it('every update another client received survives kill -9 and restart; unsent edits arrive on reconnect', async () => {
  const store = await durableDb();
  const setup = await store.open();
  const owner = await person(setup, 'Typist');
  const watcher = await person(setup, 'Watcher');
  await join(setup, owner, watcher, 'editor');
  const nb = await createNotebook(setup, owner.id, owner.workspaceId, { title: 'Crash test' });
  await setup.close();

  const port = await freePort();
  const first = await startServer(store.env, port);
  const a = connect(port, nb.id, owner.token);
  const b = connect(port, nb.id, watcher.token);
  await Promise.all([synced(a), synced(b)]);

  let typed = 0;
  const typing = setInterval(() => {
    orderedCells(a.doc)[0]!.source.insert(0, 'k');
    typed++;
  }, 2);
  await until(() => b.received.length >= 200, 'the watcher to receive 200 updates');
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  clearInterval(typing);
  const receivedBeforeCrash = [...b.received];
  const watcherText = orderedCells(b.doc)[0]!.source.toString();

  const second = await startServer(store.env, port);
  const c: Client = connect(port, nb.id, owner.token);
  await synced(c);
  const missing = receivedBeforeCrash.filter((u) => !contained(u, c.doc));
  expect({ received: receivedBeforeCrash.length, missing: missing.length }).toEqual({
    received: receivedBeforeCrash.length,
    missing: 0
  });
  expect(orderedCells(c.doc)[0]!.source.length).toBeGreaterThanOrEqual(watcherText.length);

  // The typist's edits the server never stored are still in their browser, and are sent again on reconnect.
  await until(
    () => orderedCells(c.doc)[0]!.source.length === typed,
    'every typed character to arrive',
    20_000
  );
  await until(() => orderedCells(b.doc)[0]!.source.length === typed, 'the watcher to catch up', 20_000);
  expect(orderedCells(b.doc)[0]!.source.toString()).toBe('k'.repeat(typed));
  console.log(
    `kill -9: ${receivedBeforeCrash.length} updates received before the crash, all restored; ${typed} typed`
  );
  for (const x of [a, b, c]) x.destroy();
  second.kill('SIGKILL');
  await new Promise((r) => second.once('exit', r));
  await store.cleanup();
}, 60_000);
