// Versions compared cell by cell, text diffs and restores as edits (cells/line-diff.ts, versions.ts, restore.ts).
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { deleteCell, initNotebook, insertCell, moveCell, orderedCells, setTitle } from '../../cells/document';
import { applyEdits, diffLines, textEdits } from '../../cells/line-diff';
import { RESTORE_ORIGIN, restoreCell, restoreNotebook } from '../../cells/restore';
import { compareDocs, plainCells } from '../../cells/versions';

const rebuild = (lines: ReturnType<typeof diffLines>, side: 'before' | 'after') =>
  lines
    .filter((l) => l.op !== (side === 'before' ? 'added' : 'removed'))
    .map((l) => l.text)
    .join('\n');

function random(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

function copyOf(doc: Y.Doc): Y.Doc {
  const c = new Y.Doc();
  Y.applyUpdate(c, Y.encodeStateAsUpdate(doc));
  return c;
}

describe('diffLines', () => {
  it('finds the shortest edit: removed lines before added ones in each run', () => {
    expect(diffLines('select a,\n  b\nfrom t\nwhere x', 'select a,\n  c\nfrom t\nwhere x\nlimit 5')).toEqual([
      { op: 'same', text: 'select a,' },
      { op: 'removed', text: '  b' },
      { op: 'added', text: '  c' },
      { op: 'same', text: 'from t' },
      { op: 'same', text: 'where x' },
      { op: 'added', text: 'limit 5' }
    ]);
  });

  it('rebuilds both sides of random texts, and textEdits turns one into the other', () => {
    const r = random(7);
    const text = () =>
      Array.from({ length: Math.floor(r() * 12) }, () => 'abcde'.slice(0, Math.floor(r() * 4))).join('\n');
    for (let i = 0; i < 500; i++) {
      const a = text();
      const b = text();
      const d = diffLines(a, b);
      expect(rebuild(d, 'before')).toBe(a);
      expect(rebuild(d, 'after')).toBe(b);
      expect(applyEdits(a, textEdits(a, b))).toBe(b);
    }
  });

  it('is minimal: one changed line among thousands is one removed and one added line', () => {
    const a = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
    const b = [...a];
    b[2500] = 'changed';
    b.splice(100, 1);
    const d = diffLines(a.join('\n'), b.join('\n'));
    expect(d.filter((l) => l.op !== 'same')).toHaveLength(3);
  });

  it('stays fast when two long texts have nothing in common', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 20_000 }, (_, i) => `b${i}`).join('\n');
    const t = performance.now();
    const d = diffLines(a, b);
    expect(performance.now() - t).toBeLessThan(2_000);
    expect(rebuild(d, 'after')).toBe(b);
  });
});

describe('compareDocs', () => {
  it('finds added, removed, moved and changed cells with line diffs of source and config', () => {
    const v1 = new Y.Doc();
    initNotebook(v1, 'T', [
      { kind: 'sql', name: 'a', source: 'select 1\nfrom t' },
      { kind: 'text', source: 'intro' },
      { kind: 'sql', name: 'b', source: 'select 2' },
      { kind: 'chart', config: { source: 'a', mark: 'bar' } },
      { kind: 'text', source: 'outro' }
    ]);
    const now = copyOf(v1);
    const [a, intro, b, chart, outro] = orderedCells(now);
    deleteCell(now, intro!.id);
    a!.source.insert(a!.source.length, '\nwhere x > 1');
    chart!.config.set('mark', 'line');
    moveCell(now, outro!.id, 0);
    insertCell(now, { kind: 'text', source: 'new' }, 2);
    setTitle(now, 'T2');

    const c = compareDocs(v1, now);
    expect(c.summary).toEqual({ added: 1, removed: 1, changed: 2, moved: 1 });
    const byId = new Map(c.cells.map((d) => [d.id, d]));
    expect(byId.get(intro!.id)).toMatchObject({
      status: 'removed',
      source: [{ op: 'removed', text: 'intro' }]
    });
    expect(byId.get(a!.id)!.source).toEqual([
      { op: 'same', text: 'select 1' },
      { op: 'same', text: 'from t' },
      { op: 'added', text: 'where x > 1' }
    ]);
    expect(byId.get(chart!.id)!.config!.keys).toEqual(['mark']);
    expect(byId.get(chart!.id)!.config!.lines).toContainEqual({ op: 'added', text: '  "mark": "line",' });
    expect(byId.get(outro!.id)).toMatchObject({ status: 'unchanged', moved: true });
    expect(byId.get(b!.id)).toMatchObject({ status: 'unchanged', moved: false });
    expect(c.cells.filter((d) => d.status === 'added')).toHaveLength(1);
    expect(c.meta).toEqual([{ key: 'title', before: 'T', after: 'T2' }]);
    // Removed cells sit where they were: after `a`.
    expect(c.cells.map((d) => d.id).indexOf(intro!.id)).toBe(c.cells.map((d) => d.id).indexOf(a!.id) + 1);
  });

  it('compares 1,000-cell notebooks in well under a second', () => {
    const v1 = new Y.Doc();
    initNotebook(
      v1,
      'Big',
      Array.from({ length: 1000 }, (_, i) => ({
        kind: 'sql' as const,
        name: `q${i}`,
        source: `select *\nfrom t${i}\nwhere x = ${i}`
      }))
    );
    const now = copyOf(v1);
    const cells = orderedCells(now);
    for (let i = 0; i < 1000; i += 10) cells[i]!.source.insert(0, '-- edited\n');
    for (let i = 5; i < 1000; i += 100) moveCell(now, cells[i]!.id, 999);
    const t = performance.now();
    const c = compareDocs(v1, now);
    expect(performance.now() - t).toBeLessThan(1_000);
    expect(c.summary).toEqual({ added: 0, removed: 0, changed: 100, moved: 10 });
  });
});

describe('restore', () => {
  it('makes the live document equal to the version, as edits with the restore origin', () => {
    const v1 = new Y.Doc();
    initNotebook(v1, 'T', [
      { kind: 'sql', name: 'a', source: 'select 1\nfrom t' },
      { kind: 'text', source: 'intro' },
      { kind: 'chart', config: { source: 'a', mark: 'bar' } }
    ]);
    const live = copyOf(v1);
    const [a, intro, chart] = orderedCells(live);
    deleteCell(live, intro!.id);
    a!.source.delete(0, 8);
    a!.source.insert(0, 'select 2');
    chart!.config.set('mark', 'line');
    moveCell(live, chart!.id, 0);
    insertCell(live, { kind: 'text', source: 'extra' }, 1);
    setTitle(live, 'Renamed');

    const origins: unknown[] = [];
    live.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin));
    restoreNotebook(live, v1);
    expect(origins).toEqual([RESTORE_ORIGIN]);
    expect(plainCells(live).map(({ run: _run, ...c }) => c)).toEqual(
      plainCells(v1).map(({ run: _run, ...c }) => c)
    );
    expect(live.getMap('meta').toJSON()).toEqual(v1.getMap('meta').toJSON());
    expect(compareDocs(v1, live).summary).toEqual({ added: 0, removed: 0, changed: 0, moved: 0 });
  });

  it('keeps a co-editor’s concurrent typing, in other cells and in untouched lines of the restored one', () => {
    const v1 = new Y.Doc();
    initNotebook(v1, 'T', [
      { kind: 'sql', name: 'a', source: 'line 1\nline 2\nline 3' },
      { kind: 'text', source: 'notes' }
    ]);
    const server = copyOf(v1);
    orderedCells(server)[0]!.source.insert(0, 'changed ');
    const bob = copyOf(server);
    // Bob types in both cells while the server restores the version.
    orderedCells(bob)[1]!.source.insert(5, ' by Bob');
    const bobA = orderedCells(bob)[0]!.source;
    bobA.insert(bobA.length, '!');
    restoreNotebook(server, v1);
    Y.applyUpdate(server, Y.encodeStateAsUpdate(bob));
    Y.applyUpdate(bob, Y.encodeStateAsUpdate(server));
    expect(plainCells(bob)).toEqual(plainCells(server));
    expect(orderedCells(server)[0]!.source.toString()).toBe('line 1\nline 2\nline 3!');
    expect(orderedCells(server)[1]!.source.toString()).toBe('notes by Bob');
  });

  it('brings back one deleted cell where it stood, renamed if its name was taken', () => {
    const v1 = new Y.Doc();
    initNotebook(v1, 'T', [
      { kind: 'text', source: 'first' },
      { kind: 'sql', name: 'orders', source: 'select 1' },
      { kind: 'text', source: 'last' }
    ]);
    const live = copyOf(v1);
    const [, orders] = orderedCells(live);
    deleteCell(live, orders!.id);
    insertCell(live, { kind: 'sql', name: 'orders', source: 'select 2' }, 2);
    expect(restoreCell(live, v1, orders!.id)).toBe(true);
    const cells = orderedCells(live);
    expect(cells.map((c) => c.source.toString())).toEqual(['first', 'select 1', 'last', 'select 2']);
    expect(cells[1]!.name).toBe('orders_1');
    expect(restoreCell(live, v1, 'nope')).toBe(false);
  });
});
