// A comment thread in jsdom against a small in-memory comments API: markdown with markup made inert and mentions
// shown as names; edit and delete offered only on one's own comments; @ completing members' names and posting
// their ids; the server's refusal shown as it said it; and the signal from the live connection refreshing.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Thread } from '$cells/comments';
import { NotebookComments } from '$lib/comments/comments.svelte';
import ThreadsHarness from './comments/ThreadsHarness.svelte';
import { all, button, click, hasButton, q, text, until } from './history/dom';

const ADA = { id: 'aaaaaaaaaaaaaaaa', name: 'Ada Lovelace' };
const VIC = { id: 'vvvvvvvvvvvvvvvv', name: 'Vic Viewer' };
const NOW = '2026-11-30T12:00:00.000Z';

/** Answers the notebook's comments API from memory, as the server would for these requests. */
class CommentsApi {
  threads: Thread[] = [];
  requests: { method: string; path: string; body: unknown }[] = [];
  refuseNext: { status: number; message: string } | null = null;
  fetch = async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    this.requests.push({ method, path: url, body });
    const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status });
    if (this.refuseNext) {
      const { status, message } = this.refuseNext;
      this.refuseNext = null;
      return json({ error: { code: 'rate_limited', message } }, status);
    }
    if (method === 'GET') return json({ threads: this.threads, members: [ADA, VIC] });
    const reply = /\/threads\/(\d+)$/.exec(url);
    if (method === 'POST' && reply) {
      const t = this.threads.find((x) => x.id === reply[1])!;
      t.comments.push({
        id: String(100 + t.comments.length),
        authorId: ADA.id,
        authorName: ADA.name,
        body: (body as { body: string }).body,
        createdAt: NOW,
        editedAt: null
      });
      return json({ ok: true }, 201);
    }
    return json({ ok: true });
  };
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
  vi.unstubAllGlobals();
});

async function show(api: CommentsApi) {
  vi.stubGlobal('fetch', api.fetch);
  let signal = () => {};
  const comments = new NotebookComments('nb-1', { id: ADA.id }, (changed) => {
    signal = changed;
    return () => {};
  });
  await comments.refresh();
  const target = document.createElement('div');
  document.body.append(target);
  const component = mount(ThreadsHarness, { target, props: { comments } });
  flushSync();
  cleanup = () => {
    void unmount(component);
    target.remove();
  };
  return { target, comments, signal: () => signal() };
}

function type(box: HTMLTextAreaElement, value: string) {
  box.value = value;
  box.setSelectionRange(value.length, value.length);
  box.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}
const key = (el: HTMLElement, k: string) => {
  el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
  flushSync();
};

function withThread(): CommentsApi {
  const api = new CommentsApi();
  api.threads = [
    {
      id: '1',
      cellId: 'c1',
      anchor: null,
      createdAt: NOW,
      resolvedAt: null,
      resolvedBy: null,
      comments: [
        {
          id: '10',
          authorId: VIC.id,
          authorName: VIC.name,
          body: `Is this right, @{${ADA.id}}? <img src="x" onerror="alert(1)"><script>alert(2)</script> **sure**`,
          createdAt: NOW,
          editedAt: null
        }
      ]
    }
  ];
  return api;
}

describe('a comment thread', () => {
  it('renders markdown with markup inert and mentions as names; edit and delete only on my comments', async () => {
    const api = withThread();
    const { target } = await show(api);
    const comment = await until(() => q(target, '[data-testid="comment"] [data-testid="markdown"] strong'));
    expect(text(comment)).toBe('@Ada Lovelace');
    const body = q(target, '[data-testid="markdown"]')!;
    expect(all(body, 'script')).toHaveLength(0);
    expect(q(body, 'img')!.getAttribute('onerror')).toBeNull();
    expect(all(body, 'strong').map(text)).toEqual(['@Ada Lovelace', 'sure']);
    expect(hasButton(target, 'Edit')).toBe(false);
    expect(hasButton(target, 'Delete')).toBe(false);
  });

  it('completes @ to a member and posts the id; the reply then shows with my Edit and Delete', async () => {
    const api = withThread();
    const { target } = await show(api);
    click(button(target, 'Reply'));
    const box = await until(() => q<HTMLTextAreaElement>(target, 'textarea'));
    expect(document.activeElement).toBe(box);
    type(box, 'Thanks @vi');
    const option = await until(() => q(target, '[role="option"]'));
    expect(text(option)).toBe('Vic Viewer');
    expect(box.getAttribute('aria-activedescendant')).toBe(option.id);
    key(box, 'Enter');
    await until(() => box.value === 'Thanks @Vic Viewer ');
    expect(q(target, '[role="listbox"]')).toBeNull();
    type(box, `${box.value}— done.`);
    click(button(target, 'Reply'));
    await until(() => all(target, '[data-testid="comment"]').length === 2);
    expect(api.requests.find((r) => r.method === 'POST')).toEqual({
      method: 'POST',
      path: '/api/notebooks/nb-1/comments/threads/1',
      body: { body: `Thanks @{${VIC.id}} — done.` }
    });
    const mine = all(target, '[data-testid="comment"]')[1]!;
    expect(text(mine)).toContain('Thanks @Vic Viewer — done.');
    expect(hasButton(mine, 'Edit')).toBe(true);
    expect(hasButton(mine, 'Delete')).toBe(true);
  });

  it("shows the server's refusal and keeps the draft", async () => {
    const api = withThread();
    const { target } = await show(api);
    click(button(target, 'Reply'));
    const box = await until(() => q<HTMLTextAreaElement>(target, 'textarea'));
    type(box, 'one more');
    api.refuseNext = { status: 429, message: 'You have posted 30 comments in the past minute, the limit.' };
    click(button(target, 'Reply'));
    const alert = await until(() => q(target, '[role="alert"]'));
    expect(text(alert)).toBe('You have posted 30 comments in the past minute, the limit.');
    expect(box.value).toBe('one more');
  });

  it('refreshes when the live connection says the comments changed', async () => {
    const api = withThread();
    const { target, signal } = await show(api);
    api.threads[0]!.resolvedAt = NOW;
    api.threads[0]!.resolvedBy = VIC.id;
    signal();
    await until(() => hasButton(target, 'Reopen'));
    expect(text(q(target, '.resolved-by'))).toBe('Resolved by Vic Viewer');
  });
});
