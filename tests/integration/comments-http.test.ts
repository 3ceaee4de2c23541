// The comments API over HTTP against the built app, as `npm start` serves it: the route files, the session and
// origin checks in front of them, and the one place errors become statuses. Who may do what is tested in depth
// on the server functions (comments.test.ts); here, that each answer reaches a client as it should.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMENTS_PER_MINUTE } from '../../cells/comments';
import { orderedCells } from '../../cells/document';
import { onCommentsChanged } from '../../src/lib/collab/comments-signal';
import {
  buildApp,
  newNotebook,
  signUpOver,
  startApp,
  type AppProcess,
  type Visitor
} from './helpers/app-process';
import { connect, destroyClients, synced, until } from './helpers/collab';

let app: AppProcess;
let ada: Visitor;
let mallory: Visitor;
let notebookId: string;
let cellId: string;
let signals = 0;

beforeAll(async () => {
  buildApp();
  app = await startApp();
  ada = await signUpOver(app, 'Ada');
  mallory = await signUpOver(app, 'Mallory');
  notebookId = await newNotebook(app, ada);
  const client = connect(Number(new URL(app.base).port), notebookId, ada.cookie.split('=')[1]!);
  await synced(client);
  cellId = orderedCells(client.doc)[0]!.id;
  onCommentsChanged(client.provider, () => signals++);
}, 240_000);

afterAll(async () => {
  destroyClients();
  await app?.stop();
});

async function call(who: Visitor | null, method: string, path: string, body?: unknown, origin = app.base) {
  const res = await fetch(`${app.base}/api/notebooks/${notebookId}/comments${path}`, {
    method,
    headers: {
      origin,
      ...(who ? { cookie: who.cookie } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' })
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
  });
  const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  return { status: res.status, json, retryAfter: res.headers.get('retry-after') };
}

describe('comments over HTTP', () => {
  it('posts, lists and signals; refuses strangers, the signed-out, other sites and bad input', async () => {
    const before = signals;
    const posted = await call(ada, 'POST', '', { cellId, body: 'First look' });
    expect(posted.status).toBe(201);
    const threadId = (posted.json as { threadId: string }).threadId;
    await until(() => signals > before, 'the comments-changed signal');
    const list = await call(ada, 'GET', '');
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({
      threads: [{ id: threadId, cellId, comments: [{ body: 'First look' }] }]
    });

    expect((await call(null, 'GET', '')).status).toBe(401);
    expect((await call(mallory, 'GET', '')).status).toBe(404);
    expect((await call(mallory, 'POST', `/threads/${threadId}`, { body: 'hi' })).status).toBe(404);
    expect((await call(ada, 'POST', '', { cellId, body: 'x' }, 'https://evil.example')).status).toBe(403);
    expect((await call(ada, 'POST', '', 'not json')).status).toBe(400);
    const nul = await call(ada, 'POST', `/threads/${threadId}`, { body: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect((await call(ada, 'PATCH', '/not-a-number', { body: 'x' })).status).toBe(404);
    expect((await call(ada, 'PATCH', `/threads/${threadId}`, { resolved: 'yes' })).status).toBe(400);
    expect((await call(ada, 'PATCH', `/threads/${threadId}`, { resolved: true })).status).toBe(200);
    const commentId = (list.json as { threads: { comments: { id: string }[] }[] }).threads[0]!.comments[0]!
      .id;
    expect((await call(mallory, 'DELETE', `/${commentId}`)).status).toBe(404);
  });

  it('answers 429 with Retry-After past the per-minute limit', async () => {
    let last = { status: 0, retryAfter: null as string | null };
    for (let i = 0; i < COMMENTS_PER_MINUTE && last.status !== 429; i++)
      last = await call(ada, 'POST', '', { cellId, body: `note ${i}` });
    expect(last.status).toBe(429);
    expect(Number(last.retryAfter)).toBeGreaterThan(0);
  });
});
