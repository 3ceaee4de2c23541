// Versions over the real collaboration server and database: automatic checkpoints with who edited, surviving log
// compaction and a restart; thinning by age; compare; restore while someone types; roles.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { deleteCell, insertCell, moveCell, orderedCells } from '../../cells/document';
import { plainCells } from '../../cells/versions';
import { loadDoc } from '../../server/collab/doc-store';
import { roomsFor } from '../../server/collab/rooms';
import type { Db } from '../../server/db/types';
import type { NotebookId } from '../../server/ids';
import { createNotebook } from '../../server/notebooks/notebooks';
import { thinVersions } from '../../server/versions/retention';
import { listVersions } from '../../server/versions/store';
import {
  compareVersion,
  notebookVersions,
  openVersion,
  MAX_NAMED_VERSIONS,
  restoreVersion,
  saveNamedVersion
} from '../../server/versions/versions';
import { connect, startCollabServer, synced, until } from './helpers/collab';
import { durableDb } from './helpers/durable-db';
import { join, person } from './helpers/people';
import { collabSuite } from './helpers/collab-suite';

const suite = collabSuite((db) => {
  roomsFor(db).versionTiming = { quietMs: 300, everyMs: 2_000 };
});

async function team(db: Db = suite.db) {
  const owner = await person(db, 'Ada');
  const editor = await person(db, 'Bob');
  const viewer = await person(db, 'Vera');
  await join(db, owner, editor, 'editor');
  await join(db, owner, viewer, 'viewer');
  const nb = await createNotebook(db, owner.id, owner.workspaceId, { title: 'History' }, [
    { kind: 'sql', name: 'orders', source: 'select *\nfrom orders' },
    { kind: 'text', source: 'Notes' },
    { kind: 'sql', name: 'totals', source: 'select sum(x)\nfrom orders' },
    { kind: 'chart', config: { source: 'orders', mark: 'bar' } }
  ]);
  return { owner, editor, viewer, nb };
}

const statusOf = (e: unknown) => (e as { status?: number }).status;

describe('versions', () => {
  it('takes an automatic version after a pause with who edited; it survives compaction', async () => {
    const { owner, editor, nb } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    const b = connect(suite.port, nb.id, editor.token);
    await Promise.all([synced(a), synced(b)]);
    const before = (await listVersions(suite.db, nb.id)).length;
    orderedCells(a.doc)[0]!.source.insert(0, '-- Ada\n');
    orderedCells(b.doc)[1]!.source.insert(5, ' by Bob');
    await until(() => orderedCells(a.doc)[1]!.source.toString() === 'Notes by Bob', 'sync');
    let versions = await listVersions(suite.db, nb.id);
    for (let i = 0; i < 100 && versions.length === before; i++) {
      await new Promise((r) => setTimeout(r, 50));
      versions = await listVersions(suite.db, nb.id);
    }
    const auto = versions[0]!;
    expect(auto.kind).toBe('auto');
    expect([...auto.editors].sort()).toEqual([owner.id, editor.id].sort());
    expect(auto.summary.changed).toBe(2);

    const room = (await roomsFor(suite.db).peek(nb.id))!;
    await room.compact();
    const opened = await openVersion(suite.db, owner.id, nb.id, auto.id);
    expect(opened.cells.map((c) => c.source)).toEqual([
      '-- Ada\nselect *\nfrom orders',
      'Notes by Bob',
      'select sum(x)\nfrom orders',
      ''
    ]);
    expect(opened.version.editors.map((p) => p.name).sort()).toEqual(['Ada', 'Bob']);
  });

  it('keeps versions across log compaction and a restart of server and database', async () => {
    const store = await durableDb();
    let db = await store.open();
    try {
      const { owner, nb } = await team(db);
      let srv = await startCollabServer(db);
      const a = connect(srv.port, nb.id, owner.token);
      await synced(a);
      orderedCells(a.doc)[0]!.source.insert(0, 'v1 ');
      await until(() => a.provider.synced, 'sync');
      await new Promise((r) => setTimeout(r, 200));
      const v1 = await saveNamedVersion(db, owner.id, nb.id, { label: 'v1' });
      deleteCell(a.doc, orderedCells(a.doc)[1]!.id);
      await new Promise((r) => setTimeout(r, 200));
      a.destroy();
      // Leaving takes a version of the edits since v1 and compacts the log.
      await new Promise((r) => setTimeout(r, 300));
      await roomsFor(db).closeAll();
      await srv.close();
      await db.close();

      db = await store.open();
      srv = await startCollabServer(db);
      const listed = await notebookVersions(db, owner.id, nb.id);
      expect(listed.map((v) => v.kind)).toContain('named');
      const opened = await openVersion(db, owner.id, nb.id, v1.id);
      expect(opened.cells).toHaveLength(4);
      expect(opened.cells[0]!.source).toBe('v1 select *\nfrom orders');
      const live = await loadDoc(db, nb.id);
      expect(orderedCells(live)).toHaveLength(3);
      live.destroy();
      const diff = await compareVersion(db, owner.id, nb.id, v1.id);
      expect(diff.summary).toEqual({ added: 0, removed: 1, changed: 0, moved: 0 });
      // Reloading without edits takes no new version.
      const count = listed.length;
      const b = connect(srv.port, nb.id, owner.token);
      await synced(b);
      b.destroy();
      await new Promise((r) => setTimeout(r, 300)); // its unload, before the database closes
      await roomsFor(db).closeAll();
      expect(await listVersions(db, nb.id)).toHaveLength(count);
      await srv.close();
    } finally {
      await db.close().catch(() => {});
      await store.cleanup();
    }
  });

  it('thins automatic versions with age and keeps named ones', async () => {
    const { owner, nb } = await team();
    const now = Date.parse('2030-06-15T12:00:00Z');
    const ages: { kind: 'auto' | 'named'; minutesAgo: number; editor?: string }[] = [
      { kind: 'named', minutesAgo: 60 * 24 * 40 },
      // two in one day a month ago: one stays
      { kind: 'auto', minutesAgo: 60 * 24 * 30 + 60 },
      { kind: 'auto', minutesAgo: 60 * 24 * 30, editor: 'x' },
      // three in one hour three days ago: one stays
      { kind: 'auto', minutesAgo: 60 * 24 * 3 + 20, editor: 'y' },
      { kind: 'auto', minutesAgo: 60 * 24 * 3 + 10 },
      { kind: 'named', minutesAgo: 60 * 24 * 3 + 5 },
      { kind: 'auto', minutesAgo: 60 * 24 * 3 + 2 },
      // the last day: all stay
      { kind: 'auto', minutesAgo: 60 },
      { kind: 'auto', minutesAgo: 59 },
      { kind: 'auto', minutesAgo: 1 }
    ];
    for (const [i, v] of ages.entries()) {
      const meta = await roomsFor(suite.db).withRoom(nb.id, async (r) => {
        await r.serverEdit((doc) => orderedCells(doc)[1]!.source.insert(0, `${i} `));
        return r.checkpoint(v.kind, { force: true, label: v.kind === 'named' ? `n${i}` : null });
      });
      await suite.db.query(
        `update doc_versions set created_at = $2, editors = $3::text::jsonb where id = $1`,
        [meta!.id, new Date(now - v.minutesAgo * 60_000), JSON.stringify(v.editor ? [v.editor] : [])]
      );
    }
    const all = (await listVersions(suite.db, nb.id)).reverse();
    const mine = all.slice(all.length - ages.length);
    const { deleted } = await thinVersions(suite.db, new Date(now));
    expect(deleted).toBeGreaterThanOrEqual(3);
    const left = (await listVersions(suite.db, nb.id)).reverse();
    const leftIds = new Set(left.map((v) => v.id));
    const kept = mine.map((v) => leftIds.has(v.id));
    expect(kept).toEqual([true, false, true, false, false, true, true, true, true, true]);
    // The thinned versions' editors pass to the next one kept, whose summary now spans both.
    const afterGap = left.find((v) => v.id === mine[2]!.id)!;
    expect(afterGap.editors).toEqual(['x']);
    const namedAfterThin = left.find((v) => v.id === mine[5]!.id)!;
    expect(namedAfterThin.editors).toEqual(['y']);
    expect(namedAfterThin.summary.changed).toBe(1);
    void owner;
  });

  it('restores a deleted cell while Bob types in another: both end identical with every character', async () => {
    const { owner, editor, nb } = await team();
    const ada = connect(suite.port, nb.id, owner.token);
    const bob = connect(suite.port, nb.id, editor.token);
    await Promise.all([synced(ada), synced(bob)]);
    const v1 = await saveNamedVersion(suite.db, owner.id, nb.id, { label: 'v1' });
    const notes = orderedCells(bob.doc)[1]!.id;
    deleteCell(bob.doc, notes);
    const totals = orderedCells(bob.doc)[1]!.source;
    totals.delete(0, totals.length);
    totals.insert(0, 'select count(*)\nfrom orders');
    await until(() => orderedCells(ada.doc).length === 3, 'the deletion to reach Ada');

    const diff = await compareVersion(suite.db, owner.id, nb.id, v1.id);
    expect(diff.summary).toMatchObject({ removed: 1, changed: 1 });
    expect(diff.cells.find((c) => c.status === 'changed')!.source).toContainEqual({
      op: 'added',
      text: 'select count(*)'
    });

    const typed = ' where shipped and not returned and amount > 100 -- typed by Bob';
    let typing = true;
    const bobTypes = (async () => {
      const text = orderedCells(bob.doc)[0]!.source;
      for (const ch of typed) {
        text.insert(text.length, ch);
        await new Promise((r) => setTimeout(r, 5));
      }
      typing = false;
    })();
    await new Promise((r) => setTimeout(r, 30));
    const { before } = await restoreVersion(suite.db, owner.id, nb.id, v1.id, { cellId: notes });
    expect(typing).toBe(true); // the restore landed mid-typing
    expect(before.kind).toBe('restore');
    await bobTypes;
    const same = () =>
      JSON.stringify(plainCells(ada.doc)) === JSON.stringify(plainCells(bob.doc)) &&
      orderedCells(ada.doc).length === 4 &&
      orderedCells(ada.doc)[0]!.source.toString().endsWith(typed);
    await until(same, 'both clients to converge');
    expect(Y.encodeStateVector(ada.doc)).toEqual(Y.encodeStateVector(bob.doc));
    const cells = orderedCells(bob.doc);
    expect(cells.map((c) => c.id)[1]).toBe(notes);
    expect(cells[1]!.source.toString()).toBe('Notes');
    expect(cells[0]!.source.toString()).toBe('select *\nfrom orders' + typed);
    expect(cells[2]!.source.toString()).toBe('select count(*)\nfrom orders');
    // The server's copy is the same, stored.
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    await room.settled();
    const stored = await loadDoc(suite.db, nb.id);
    expect(plainCells(stored)).toEqual(plainCells(bob.doc));
    stored.destroy();

    // The whole notebook back to v1 (Bob's typing included in what is replaced), then undone by the version
    // taken before it.
    const whole = await restoreVersion(suite.db, owner.id, nb.id, v1.id, {});
    await until(
      () => orderedCells(bob.doc)[2]!.source.toString() === 'select sum(x)\nfrom orders',
      'restore'
    );
    expect((await compareVersion(suite.db, owner.id, nb.id, v1.id)).summary).toEqual({
      added: 0,
      removed: 0,
      changed: 0,
      moved: 0
    });
    await restoreVersion(suite.db, owner.id, nb.id, whole.before.id, {});
    await until(() => orderedCells(bob.doc)[0]!.source.toString().endsWith(typed), 'undo by restoring');
  });

  it('compare finds added, removed, moved and changed cells, with line changes', async () => {
    const { owner, nb } = await team();
    const v1 = await saveNamedVersion(suite.db, owner.id, nb.id, { label: 'start' });
    await roomsFor(suite.db).edit(nb.id, (doc) => {
      const [orders, notes, totals, chart] = orderedCells(doc);
      deleteCell(doc, notes!.id);
      orders!.source.insert(orders!.source.length, '\nwhere x');
      chart!.config.set('mark', 'line');
      moveCell(doc, totals!.id, 0);
      insertCell(doc, { kind: 'text', source: 'new' }, 3);
    });
    const c = await compareVersion(suite.db, owner.id, nb.id, v1.id);
    expect(c.summary).toEqual({ added: 1, removed: 1, changed: 2, moved: 1 });
    const orders = c.cells.find((x) => x.after?.name === 'orders')!;
    expect(orders.source!.filter((l) => l.op !== 'same')).toEqual([{ op: 'added', text: 'where x' }]);
    expect(c.cells.find((x) => x.config)!.config!.keys).toEqual(['mark']);
    const v2 = await saveNamedVersion(suite.db, owner.id, nb.id, { label: 'after' });
    expect((await compareVersion(suite.db, owner.id, nb.id, v1.id, v2.id)).summary).toEqual(c.summary);
    // The edit was made with nobody connected: the room unloaded after it, taking an automatic version that
    // holds the changes; v2 then changed nothing.
    const [, auto] = await listVersions(suite.db, nb.id);
    expect(auto!.kind).toBe('auto');
    expect(auto!.summary).toEqual(c.summary);
    expect(v2.summary).toEqual({ added: 0, removed: 0, changed: 0, moved: 0 });
  });

  it('keeps at most MAX_NAMED_VERSIONS named versions of a notebook, and says so', async () => {
    const { owner, nb } = await team();
    const first = await saveNamedVersion(suite.db, owner.id, nb.id, { label: 'first' });
    // The rest as rows copied from the first: the limit counts rows, however they came.
    await suite.db.query(
      `insert into doc_versions (notebook_id, kind, label, created_by, state, snapshot, editors, summary)
       select notebook_id, kind, label || ' ' || n, created_by, state, snapshot, editors, summary
         from doc_versions, generate_series(2, $2::int) as n where id = $1`,
      [first.id, MAX_NAMED_VERSIONS]
    );
    const refused = await saveNamedVersion(suite.db, owner.id, nb.id, { label: 'one more' }).catch((e) => e);
    expect(refused).toMatchObject({
      code: 'too_large',
      message: expect.stringMatching(/the most it can keep/)
    });
    const named = (await listVersions(suite.db, nb.id)).filter((v) => v.kind === 'named');
    expect(named).toHaveLength(MAX_NAMED_VERSIONS);
  });

  it('viewers can list, open and compare, but cannot save or restore (403)', async () => {
    const { owner, viewer, nb } = await team();
    const v1 = await saveNamedVersion(suite.db, owner.id, nb.id, { label: 'v1' });
    expect((await notebookVersions(suite.db, viewer.id, nb.id)).map((v) => v.label)).toContain('v1');
    expect((await openVersion(suite.db, viewer.id, nb.id, v1.id)).cells).toHaveLength(4);
    await compareVersion(suite.db, viewer.id, nb.id, v1.id);
    expect(statusOf(await saveNamedVersion(suite.db, viewer.id, nb.id, { label: 'x' }).catch((e) => e))).toBe(
      403
    );
    expect(statusOf(await restoreVersion(suite.db, viewer.id, nb.id, v1.id, {}).catch((e) => e))).toBe(403);
    const stranger = await person(suite.db, 'Stranger');
    expect(statusOf(await notebookVersions(suite.db, stranger.id, nb.id).catch((e) => e))).toBe(404);
    // A version of another notebook is not found through this one.
    const other = await createNotebook(suite.db, owner.id, owner.workspaceId, { title: 'Other' });
    expect(
      statusOf(await openVersion(suite.db, owner.id, other.id as NotebookId, v1.id).catch((e) => e))
    ).toBe(404);
  });
});
