// The "Bob · 5 minutes ago" in a cell's frame, in jsdom: read from the cell-authors API when the notebook opens,
// read again once the document stops changing, the exact time and other editors on hover, and an answer that is
// not understood leaves what is shown alone.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { CellAuthors } from '$lib/authors/cell-authors.svelte';
import CellAuthor from '$lib/components/notebook/CellAuthor.svelte';
import { exactTime } from '$lib/history/version-text';
import { q, text, until } from './history/dom';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  vi.unstubAllGlobals();
});

function answering(...bodies: unknown[]) {
  const asked: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    asked.push(url);
    const body = bodies[Math.min(asked.length - 1, bodies.length - 1)];
    return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  });
  return asked;
}

function show(doc: Y.Doc, cellId: string) {
  const authors = new CellAuthors('nb-1', doc, { quietMs: 10, maxWaitMs: 50, tickMs: 60_000 });
  const target = document.createElement('div');
  document.body.append(target);
  const component = mount(CellAuthor, { target, props: { authors, cellId } });
  cleanups.push(() => {
    void unmount(component);
    authors.destroy();
    target.remove();
  });
  return { target, authors };
}

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

describe('who last changed a cell', () => {
  it('shows the last person and how long ago, the exact time and the others on hover, and follows changes', async () => {
    const five = minutesAgo(5);
    const bob = { id: 'u-bob', name: 'Bob', at: five };
    const ada = { id: 'u-ada', name: 'Ada', at: minutesAgo(60) };
    const asked = answering(
      { cells: { c1: { last: bob, editors: [bob, ada] } } },
      { cells: { c1: { last: { ...ada, at: minutesAgo(0) }, editors: [ada, bob] } } },
      { cells: 'not what the server says' }
    );
    const doc = new Y.Doc();
    const { target } = show(doc, 'c1');
    const el = await until(() => q(target, '[data-testid="cell-author"]'));
    expect(asked).toEqual(['/api/notebooks/nb-1/cell-authors']);
    expect(text(el)).toBe('Last changed by Bob · 5 minutes ago');
    expect(el.getAttribute('title')).toBe(`Last changed by Bob, ${exactTime(five)}. Also changed by Ada.`);
    expect(q(el, 'time')?.getAttribute('datetime')).toBe(five);

    // A change to the document (anyone's): asked again once it pauses.
    doc.getText('x').insert(0, 'a');
    await until(() => asked.length === 2 && text(q(target, '[data-testid="cell-author"]')).includes('Ada'));
    expect(text(q(target, '[data-testid="cell-author"]'))).toBe('Last changed by Ada · just now');

    // An answer that does not parse keeps what is shown.
    doc.getText('x').insert(0, 'b');
    await until(() => asked.length === 3);
    await new Promise((r) => setTimeout(r, 20));
    flushSync();
    expect(text(q(target, '[data-testid="cell-author"]'))).toBe('Last changed by Ada · just now');
  });

  it('shows nothing for a cell nobody has changed', async () => {
    const asked = answering({ cells: {} });
    const { target } = show(new Y.Doc(), 'c1');
    await until(() => asked.length === 1);
    await new Promise((r) => setTimeout(r, 10));
    flushSync();
    expect(q(target, '[data-testid="cell-author"]')).toBeNull();
  });
});
