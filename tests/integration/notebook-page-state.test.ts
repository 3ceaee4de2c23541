// The notebook page carries its document (server/notebooks/first-paint.ts → /n/:id's load), so the cells paint
// before the WebSocket syncs. Against the built app on a real PostgreSQL: a member (a viewer too: the WebSocket
// sends them the same document) gets it, decoding to exactly the stored document, with notebook content that tries
// to close the page's script never reaching the HTML as markup; a stranger, a logged-out visitor and a notebook
// past the size cap get none. Likewise the first small stored results, but only the run the server stored for
// that cell; a bigger one is preloaded instead.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { tableFromIPC, tableFromArrays, tableToIPC } from 'apache-arrow';
import postgres from 'postgres';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as Y from 'yjs';
import { orderedCells, setTitle } from '../../cells/document';
import { SESSION_COOKIE } from '../../server/auth/session';
import { loadDoc } from '../../server/collab/doc-store';
import { openPostgres } from '../../server/db/postgres';
import type { Db } from '../../server/db/types';
import { MAX_EMBEDDED_STATE_BYTES } from '../../server/notebooks/first-paint';
import { EMBED_RESULT_BYTES } from '../../server/notebooks/embedded-results';
import { createNotebook } from '../../server/notebooks/notebooks';
import { storeResult } from '../../server/results/results';
import type { CellId, NotebookId } from '../../server/ids';
import { buildApp, startApp, type AppProcess } from './helpers/app-process';
import { editStoredDoc } from './helpers/edit-stored-doc';
import { join, person } from './helpers/people';
import { targetUrl } from './helpers/sample-db';

/** Cell text that would end the page's inline script, open a comment or a new script if it reached the HTML. */
const HOSTILE = `select '</script><script>alert(document.cookie)</script><!-- <script>' as x`;
const schema = `pstate_${randomBytes(6).toString('hex')}`;
let app: AppProcess;
let db: Db;

beforeAll(async () => {
  buildApp();
  app = await startApp({ DATABASE_SCHEMA: schema });
  db = await openPostgres(targetUrl(), schema);
}, 300_000);

afterAll(async () => {
  await db?.close();
  await app?.stop();
  const admin = postgres(targetUrl(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

const cookieOf = (p: { token: string }) => `${SESSION_COOKIE}=${p.token}`;

async function page(notebookId: string, cookie?: string) {
  const res = await fetch(`${app.base}/n/${notebookId}`, {
    headers: cookie ? { cookie } : {},
    redirect: 'manual'
  });
  return { status: res.status, html: await res.text() };
}

/** The document state in the page's data (SvelteKit's serialised load data), or null / undefined when absent. */
const embedded = (html: string) => /docState:(null|"([A-Za-z0-9+/=]*)")/.exec(html)?.[2] ?? null;

/** The page as `cookie` gets it, asked again while the server's read misses its deadline on a busy machine. */
async function stateFor(notebookId: string, cookie: string) {
  for (let i = 0; ; i++) {
    const p = await page(notebookId, cookie);
    const state = embedded(p.html);
    if (state || i === 4) return { ...p, state };
  }
}

it('a member gets the document in the page, escaped, equal to the stored one; others get none', async () => {
  const ann = await person(db, 'State Ann');
  const viewer = await person(db, 'State Vic');
  const stranger = await person(db, 'State Eve');
  await join(db, ann, viewer, 'viewer');
  const nb = await createNotebook(db, ann.id, ann.workspaceId, { title: 'Hostile' }, [
    { kind: 'sql', name: 'q', source: HOSTILE }
  ]);

  const owner = await stateFor(nb.id, cookieOf(ann));
  expect(owner.status).toBe(200);
  expect(owner.state).toBeTruthy();
  // Nothing of the cell's text reaches the HTML as markup: the page has exactly SvelteKit's own scripts.
  expect(owner.html).not.toContain('alert(document.cookie)');
  expect(owner.html).not.toContain('<!-- <script>');
  const decoded = new Y.Doc();
  Y.applyUpdate(decoded, Buffer.from(owner.state!, 'base64'));
  expect(orderedCells(decoded).map((c) => c.source.toString())).toEqual([HOSTILE]);
  const stored = await loadDoc(db, nb.id);
  expect(Y.encodeStateVector(decoded)).toEqual(Y.encodeStateVector(stored));
  stored.destroy();

  // A viewer reads the notebook over the WebSocket too: the same document.
  expect((await stateFor(nb.id, cookieOf(viewer))).state).toBe(owner.state);

  // Someone of another workspace, and nobody logged in: no page, no document.
  const other = await page(nb.id, cookieOf(stranger));
  expect(other.status).toBe(404);
  expect(embedded(other.html)).toBeNull();
  expect(other.html).not.toContain(owner.state!.slice(0, 40));
  const anonymous = await page(nb.id);
  expect([302, 303, 307]).toContain(anonymous.status);
  expect(anonymous.html).not.toContain(owner.state!.slice(0, 40));
});

it('a notebook past the cap is not put in the page (the WebSocket brings it)', async () => {
  const ann = await person(db, 'State Big');
  const nb = await createNotebook(db, ann.id, ann.workspaceId, { title: 'Big' }, [
    { kind: 'sql', name: 'q', source: 'select 1' }
  ]);
  const small = await stateFor(nb.id, cookieOf(ann));
  expect(small.state).toBeTruthy();
  // Random text does not compress in Yjs' encoding: the document grows past the cap.
  await editStoredDoc(db, nb.id, (doc) =>
    setTitle(doc, randomBytes(MAX_EMBEDDED_STATE_BYTES).toString('base64'))
  );
  const big = await page(nb.id, cookieOf(ann));
  expect(big.status).toBe(200);
  expect(embedded(big.html)).toBeNull();
  expect(big.html).toContain('docState:null');
});

/** The stored results in the page's data: cell, run and the decoded rows' count. */
function resultsIn(html: string) {
  const m = /results:\[(.*?)\],docState/.exec(html);
  if (!m) return null;
  return [...m[1]!.matchAll(/cellId:"([^"]+)",runId:"([^"]+)",ipc:"([A-Za-z0-9+/=]+)"/g)].map(
    ([, cellId, runId, ipc]) => ({ cellId, runId, rows: tableFromIPC(Buffer.from(ipc!, 'base64')).numRows })
  );
}

it('the first small stored results are in the page, only as stored and only for members; big ones are preloaded', async () => {
  const ann = await person(db, 'Result Ann');
  const stranger = await person(db, 'Result Eve');
  const nb = await createNotebook(db, ann.id, ann.workspaceId, { title: 'Results' }, [
    { kind: 'sql', name: 'small', source: 'select 1' },
    { kind: 'sql', name: 'forged', source: 'select 2' },
    { kind: 'sql', name: 'big', source: 'select 3' }
  ]);
  const notebookId = nb.id as NotebookId;
  const stored = await loadDoc(db, notebookId);
  const [small, forged, big] = orderedCells(stored).map((c) => c.id as CellId);
  stored.destroy();
  const store = async (cellId: CellId, runId: string, rows: number) => {
    const table = tableFromArrays({ n: Float64Array.from({ length: rows }, (_, i) => i * 1.5) });
    await storeResult(db, app.dataDir, {
      userId: ann.id,
      notebookId,
      cellId,
      runId,
      body: Readable.from([Buffer.from(tableToIPC(table, 'stream'))])
    });
  };
  await store(small!, 'run-small', 3);
  await store(forged!, 'run-stored', 3);
  await store(big!, 'run-big', EMBED_RESULT_BYTES / 8 + 100);
  await editStoredDoc(db, notebookId, (doc) => {
    const runOf = (id: string) => orderedCells(doc).find((c) => c.id === id)!.run;
    const done = { status: 'done', rows: 3, stored: 'full' };
    for (const [id, runId] of [
      [small!, 'run-small'],
      [forged!, 'run-not-stored'], // the document's word only: no such stored run
      [big!, 'run-big']
    ] as const)
      for (const [k, v] of Object.entries({ ...done, runId })) runOf(id).set(k, v);
  });

  let owner = await page(notebookId, cookieOf(ann));
  for (let i = 0; i < 4 && !resultsIn(owner.html)?.length; i++) owner = await page(notebookId, cookieOf(ann));
  expect(resultsIn(owner.html)).toEqual([{ cellId: small, runId: 'run-small', rows: 3 }]);
  // The big one is hinted for a preload instead (the forged one too: its request is refused); the small one, in
  // the page already, is not.
  expect(owner.html).toContain(`href="/api/results/${notebookId}/${big}/run-big"`);
  expect(owner.html).not.toContain(`/api/results/${notebookId}/${small}/`);

  const other = await page(notebookId, cookieOf(stranger));
  expect(other.status).toBe(404);
  expect(resultsIn(other.html)).toBeNull();
});
