// The History panel, the version view and the compare view in jsdom, arranged as the notebook page arranges them,
// against a versions API answered by the real cells/ comparison and restore functions over a live Y.Doc
// (history/versions-server.ts): saving with the server's message, opening a version read-only with its markdown
// sanitised, comparing cell by cell, restoring a cell and the whole notebook and undoing it, and a viewer who
// sees history but no way to change it.
import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { deleteCell, initNotebook, moveCell, orderedCells, setTitle } from '$cells/document';
import { NotebookHistory } from '$lib/history/history.svelte';
import { renderMarkdownLoaded } from '$lib/markdown/render';
import HistoryHarness from './history/HistoryHarness.svelte';
import { all, button, click, hasButton, q, text, until } from './history/dom';
import { VersionsServer } from './history/versions-server';

type Mounted = { target: HTMLElement; history: NotebookHistory; server: VersionsServer; destroy(): void };
let mounted: Mounted | undefined;
afterEach(() => {
  mounted?.destroy();
  mounted = undefined;
  vi.unstubAllGlobals();
});

function show(live: Y.Doc, { canWrite = true, server = new VersionsServer(live) } = {}): Mounted {
  vi.stubGlobal('fetch', server.fetch);
  const target = document.createElement('div');
  document.body.append(target);
  const history = new NotebookHistory(server.notebookId, live);
  const component = mount(HistoryHarness, { target, props: { history, canWrite } });
  flushSync();
  return {
    target,
    history,
    server,
    destroy: () => {
      void unmount(component);
      history.destroy();
      target.remove();
    }
  };
}

function notebook(cells: Parameters<typeof initNotebook>[2]): Y.Doc {
  const doc = new Y.Doc();
  initNotebook(doc, 'Sales', cells);
  return doc;
}
const sources = (doc: Y.Doc) => orderedCells(doc).map((c) => c.source.toString());

async function openPanel(m: Mounted) {
  click(button(m.target, 'History'));
  await until(() => m.history.versions);
}

describe('the History panel', () => {
  it('says versions are saved automatically when there are none; an editor names one, told why a name is refused', async () => {
    const live = notebook([{ kind: 'sql', name: 'sales', source: 'select 1' }]);
    mounted = show(live);
    const m = mounted;
    await openPanel(m);
    expect(text(q(m.target, '.empty'))).toContain('Sheaf saves one automatically');
    expect(text(q(m.target, '.empty'))).toContain('“Save version…”');

    click(button(m.target, 'Save version…'));
    const input = q<HTMLInputElement>(m.target, '#version-label')!;
    await until(() => document.activeElement === input);
    expect(text(q(m.target, 'label[for="version-label"]'))).toBe('Version name');
    click(button(m.target, 'Save'));
    const alert = await until(() => q(m.target, '[role="alert"]'));
    expect(text(alert)).toBe('Give the version a name.');
    expect(input.getAttribute('aria-invalid')).toBe('true');

    input.value = 'v1';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    click(button(m.target, 'Save'));
    const entry = await until(() => q(m.target, '[data-testid="version"]'));
    expect(m.server.requests.filter((r) => r.method === 'POST')).toEqual([
      { method: 'POST', path: '/api/notebooks/nb-1/versions', body: { label: '' } },
      { method: 'POST', path: '/api/notebooks/nb-1/versions', body: { label: 'v1' } }
    ]);
    expect(text(entry)).toContain('v1');
    expect(text(entry)).toContain('Named');
    expect(text(entry)).toContain('Edited by Ada');
    expect(text(entry)).toContain('1 added');
    expect(text(q(entry, 'time'))).toBe('just now');
    expect(q(entry, 'time')?.getAttribute('title')).toMatch(/\d{4}/);
    expect(text(q(m.target, '[role="status"]'))).toBe('Saved “v1”.');
    await until(() => document.activeElement === button(m.target, 'Save version…'));
  });

  it('lists versions newest first with their kinds, and a viewer gets no Save button', async () => {
    const live = notebook([{ kind: 'text', source: 'hello' }]);
    const server = new VersionsServer(live);
    server.checkpoint('auto', null, new Date(Date.now() - 3 * 3600_000));
    server.checkpoint('publish', 'Published', new Date(Date.now() - 2 * 3600_000));
    server.checkpoint('assistant', 'Before the assistant regenerated', new Date(Date.now() - 3600_000));
    server.checkpoint('restore', 'Before restoring “v1”');
    mounted = show(live, { canWrite: false, server });
    await openPanel(mounted);
    expect(all(mounted.target, '[data-testid="version"] .title').map(text)).toEqual([
      'Before restoring “v1”',
      'Before the assistant regenerated',
      'Published',
      'Automatic'
    ]);
    const [restore, , , auto] = all(mounted.target, '[data-testid="version"]');
    expect(text(restore)).toContain('Before restore');
    expect(text(q(auto!, 'time'))).toBe('3 hours ago');
    expect(text(auto)).toContain('1 added');
    expect(hasButton(mounted.target, 'Save version…')).toBe(false);

    // A version someone else saved meanwhile shows on request.
    server.checkpoint('named', 'from Bob');
    click(button(mounted.target, 'Refresh the history'));
    await until(() => mounted!.history.versions?.length === 5);
    expect(text(q(mounted.target, '[data-testid="version"] .title'))).toBe('from Bob');
  });
});

describe('a version opened from the panel', () => {
  it('shows its cells read-only, markdown rendered and sanitised, and Esc goes back to the live cells', async () => {
    await renderMarkdownLoaded('');
    const live = notebook([
      { kind: 'sql', name: 'sales', source: 'select month,\n  sum(amount)\nfrom sales' },
      { kind: 'text', source: '# Notes\n\n<img src="x" onerror="alert(1)"><script>window.bad = 1</script>' }
    ]);
    const server = new VersionsServer(live);
    server.checkpoint('named', 'v1');
    deleteCell(live, orderedCells(live)[1]!.id);
    mounted = show(live, { server });
    const m = mounted;
    await openPanel(m);
    click(q<HTMLButtonElement>(m.target, '[data-testid="version"]')!);

    const view = await until(() => q(m.target, '[data-testid="version-view"]'));
    expect(q(m.target, '[data-testid="live-cells"]')).toBeNull();
    expect(text(q(view, 'h2'))).toBe('v1');
    await until(() => document.activeElement === q(view, 'h2'));
    expect(text(view)).toContain('Old version · read-only');
    const cells = await until(() => {
      const c = all(view, '[data-testid="version-cell"]');
      return c.length ? c : null;
    });
    expect(cells).toHaveLength(2);
    expect(text(q(cells[0]!, 'code.name'))).toBe('sales');
    expect(q(cells[0]!, 'pre.source')?.textContent).toBe('select month,\n  sum(amount)\nfrom sales');
    expect(text(q(cells[1]!, 'h1'))).toBe('Notes');
    expect(q(cells[1]!, 'script')).toBeNull();
    expect(q(cells[1]!, 'img')?.hasAttribute('onerror')).toBe(false);
    expect(all(view, 'textarea, [contenteditable="true"], input')).toHaveLength(0);
    expect(button(view, 'Cells as they were').getAttribute('aria-pressed')).toBe('true');

    view.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    flushSync();
    expect(q(m.target, '[data-testid="version-view"]')).toBeNull();
    expect(q(m.target, '[data-testid="live-cells"]')).not.toBeNull();
  });
});

describe('who changed a version', () => {
  it('names the people who changed each cell since the version before, and says nothing when none changed', async () => {
    const live = notebook([
      { kind: 'sql', name: 'sales', source: 'select 1' },
      { kind: 'text', source: 'Notes' }
    ]);
    const server = new VersionsServer(live);
    const v1 = server.checkpoint('auto');
    const [sales, notes] = orderedCells(live).map((c) => c.id);
    orderedCells(live)[0]!.source.insert(0, '-- ');
    const v2 = server.checkpoint('named', 'v2');
    const bob = { id: 'u-bob', name: 'Bob' };
    const cy = { id: 'u-cy', name: 'Cy' };
    server.changes.set(v2.id, {
      cells: [
        { id: sales!, status: 'changed', index: 0, kind: 'sql', name: 'sales', people: [bob, cy] },
        { id: notes!, status: 'removed', index: 1, kind: 'text', name: '', people: [] }
      ],
      people: [bob, cy]
    });
    mounted = show(live, { server });
    const m = mounted;
    await openPanel(m);
    const entries = all(m.target, '[data-testid="version"]');
    click(entries[0]!);
    const section = await until(() => q(m.target, '[data-testid="version-changes"]'));
    expect(text(q(section, 'h3'))).toBe('Changed since the version before by Bob and Cy');
    const rows = all(section, '[data-testid="version-change"]').map(text);
    expect(rows).toEqual(['SQL cell 1 · sales changed by Bob and Cy', 'Text cell 2 removed']);
    expect(m.server.requests.map((r) => r.path)).toContain(`/api/notebooks/nb-1/versions/${v2.id}/changes`);

    // The first version changed nothing anyone is recorded for: no section at all.
    click(button(m.target, '← Back to the live notebook'));
    click(all(m.target, '[data-testid="version"]')[1]!);
    await until(() => m.server.requests.some((r) => r.path.endsWith(`/${v1.id}/changes`)));
    await until(() => m.history.changes?.status === 'ready');
    flushSync();
    expect(q(m.target, '[data-testid="version-changes"]')).toBeNull();
  });
});

describe('comparing a version with now', () => {
  function edited() {
    const live = notebook([
      { kind: 'sql', name: 'a', source: 'select 1 as one\nfrom range(3)' },
      { kind: 'text', source: '# t' },
      { kind: 'sql', name: 'b', source: 'select 2' },
      { kind: 'sql', name: 'c', source: 'select 3' }
    ]);
    const server = new VersionsServer(live);
    server.checkpoint('named', 'v1');
    const [a, t, , c] = orderedCells(live);
    deleteCell(live, t!.id);
    a!.source.delete(0, 'select 1 as one'.length);
    a!.source.insert(0, 'select 10 as ten');
    moveCell(live, c!.id, 0);
    setTitle(live, 'Sales, final');
    return { live, server, ids: { a: a!.id, t: t!.id, c: c!.id } };
  }

  async function compare(m: Mounted) {
    await openPanel(m);
    click(q<HTMLButtonElement>(m.target, '[data-testid="version"]')!);
    const view = await until(() => q(m.target, '[data-testid="version-view"]'));
    click(button(view, 'Compare with now'));
    await until(() => q(view, '[data-testid="version-compare"]'));
    return view;
  }

  it('shows removed, changed, moved and folded unchanged cells with line diffs', async () => {
    const { live, server, ids } = edited();
    mounted = show(live, { server });
    const view = await compare(mounted);
    expect(text(q(view, '.summary'))).toBe('Since this version: 1 changed · 1 removed · 1 moved.');
    expect(text(q(view, '.meta'))).toBe('Title: “Sales” → “Sales, final”');
    const shown = all(view, '[data-testid="compare-cell"]');
    expect(shown.map((c) => [c.dataset.cellId, c.dataset.status])).toEqual([
      [ids.c, 'unchanged'],
      [ids.a, 'changed'],
      [ids.t, 'removed']
    ]);
    expect(text(shown[0])).toContain('Moved from 4 to 1');
    expect(all(shown[1]!, 'del').map(text)).toEqual(['−select 1 as one']);
    expect(all(shown[1]!, 'ins').map(text)).toEqual(['+select 10 as ten']);
    expect(text(q(shown[1]!, '.line.same'))).toBe('from range(3)');
    expect(text(shown[2])).toContain('Text cell 2');
    expect(all(shown[2]!, 'del').map(text)).toEqual(['−# t']);

    const fold = button(view, '1 unchanged cell');
    expect(fold.getAttribute('aria-expanded')).toBe('false');
    click(fold);
    expect(fold.getAttribute('aria-expanded')).toBe('true');
    expect(text(q(view, '.unchanged-list'))).toBe('SQL cell 3 · b');
  });

  it('restores a removed cell after a confirmation that says co-editors keep their work and how to undo', async () => {
    const { live, server, ids } = edited();
    mounted = show(live, { server });
    const m = mounted;
    const view = await compare(m);
    expect(hasButton(view, 'Restore SQL cell 1 · c as it was')).toBe(false); // moved only: nothing to restore
    click(button(view, 'Restore Text cell 2 as it was'));
    const confirm = q(view, '[role="group"][aria-label^="Confirm"]')!;
    expect(text(confirm)).toContain('co-editors see it happen and keep what they are typing');
    expect(text(confirm)).toContain('restore the “Before restore” version');
    await until(() => document.activeElement === button(confirm, 'Restore this cell'));
    click(button(confirm, 'Restore this cell'));

    await until(() =>
      text(q(m.target, '[data-testid="restore-notice"]')).includes('A cell was restored from “v1”')
    );
    expect(m.server.requests.at(-3)).toMatchObject({ method: 'POST', body: { cellId: ids.t } });
    expect(sources(live)).toEqual(['select 3', 'select 10 as ten\nfrom range(3)', '# t', 'select 2']);
    // The comparison is made again: the cell is no longer removed.
    await until(() => !q(view, '[data-status="removed"]') && q(view, '[data-testid="version-compare"]'));
    expect(all(m.target, '[data-testid="version"] .title').map(text)).toEqual([
      'Before restoring a cell from “v1”',
      'v1'
    ]);
  });

  it('says when the notebook changed after the comparison, and compares again on request', async () => {
    const { live, server } = edited();
    mounted = show(live, { server });
    const view = await compare(mounted);
    expect(q(view, '.stale')).toBeNull();
    orderedCells(live)[2]!.source.insert(0, '-- more\n');
    flushSync();
    expect(text(q(view, '.stale'))).toContain('The notebook changed since this comparison was made.');
    click(button(view, 'Compare again'));
    await until(() => text(q(view, '.summary')).includes('2 changed'));
    expect(q(view, '.stale')).toBeNull();
  });
});

describe('restoring the whole notebook', () => {
  it('makes the notebook as it was, goes back to it, and Undo restores the version kept before', async () => {
    const live = notebook([
      { kind: 'sql', name: 'a', source: 'select 1' },
      { kind: 'text', source: 'words' }
    ]);
    const server = new VersionsServer(live);
    server.checkpoint('named', 'v1');
    orderedCells(live)[0]!.source.insert(8, '0');
    deleteCell(live, orderedCells(live)[1]!.id);
    mounted = show(live, { server });
    const m = mounted;
    await openPanel(m);
    click(q<HTMLButtonElement>(m.target, '[data-testid="version"]')!);
    const view = await until(() => q(m.target, '[data-testid="version-view"]'));
    click(button(view, 'Restore this version…'));
    expect(text(view)).toContain('Make the whole notebook as it was in this version?');
    click(button(view, 'Restore this version'));

    await until(() => q(m.target, '[data-testid="live-cells"]'));
    expect(sources(live)).toEqual(['select 1', 'words']);
    const notice = q(m.target, '[data-testid="restore-notice"]')!;
    expect(text(notice)).toContain(
      'The notebook was restored to “v1”. Co-editors see the change; “Undo restore” brings back the notebook as it was just before.'
    );

    click(button(notice, 'Undo restore'));
    await until(() => !q(m.target, '[data-testid="restore-notice"]'));
    expect(sources(live)).toEqual(['select 10']);
  });

  it('is not offered to a viewer, who still opens and compares', async () => {
    const live = notebook([{ kind: 'sql', name: 'a', source: 'select 1' }]);
    const server = new VersionsServer(live);
    server.checkpoint('named', 'v1');
    deleteCell(live, orderedCells(live)[0]!.id);
    mounted = show(live, { server, canWrite: false });
    const m = mounted;
    await openPanel(m);
    click(q<HTMLButtonElement>(m.target, '[data-testid="version"]')!);
    const view = await until(() => q(m.target, '[data-testid="version-view"]'));
    click(button(view, 'Compare with now'));
    await until(() => q(view, '[data-status="removed"]'));
    expect(all(view, 'button').filter((b) => /Restore/.test(b.textContent ?? ''))).toHaveLength(0);
    expect(m.server.requests.every((r) => r.method === 'GET')).toBe(true);
  });
});
