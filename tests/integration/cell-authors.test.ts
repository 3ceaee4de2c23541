// Who changed what, over the real collaboration server and PostgreSQL: the server attributes each cell to the
// person whose connection changed it, never to a viewer whose update it dropped, a restore to whoever asked,
// and a version's changes to the people who made them; failing writes are retried, old rows pruned.
import { describe, expect, it } from 'vitest';
import { deleteCell, moveCell, orderedCells } from '../../cells/document';
import { cellAuthors, versionChanges } from '../../server/authors/authors';
import { CellEditRecorder } from '../../server/authors/recorder';
import { latestEditors, pruneCellEdits, writeCellEdits } from '../../server/authors/store';
import { roomsFor } from '../../server/collab/rooms';
import type { Db } from '../../server/db/types';
import type { NotebookId, UserId } from '../../server/ids';
import { createNotebook } from '../../server/notebooks/notebooks';
import { thinVersions } from '../../server/versions/retention';
import { listVersions } from '../../server/versions/store';
import { restoreVersion, saveNamedVersion } from '../../server/versions/versions';
import { connect, synced, until } from './helpers/collab';
import { join, person } from './helpers/people';
import { collabSuite } from './helpers/collab-suite';

const suite = collabSuite();

async function team() {
  const ada = await person(suite.db, 'Ada');
  const bob = await person(suite.db, 'Bob');
  const vera = await person(suite.db, 'Vera');
  await join(suite.db, ada, bob, 'editor');
  await join(suite.db, ada, vera, 'viewer');
  const nb = await createNotebook(suite.db, ada.id, ada.workspaceId, { title: 'Authors' }, [
    { kind: 'sql', name: 'orders', source: 'select * from orders' },
    { kind: 'text', source: 'Notes' },
    { kind: 'sql', name: 'totals', source: 'select sum(x) from orders' }
  ]);
  return { ada, bob, vera, nb };
}

/** Cell id → the last person's name, as the API answers (asked by a viewer). */
async function lastNames(viewer: { id: UserId }, notebookId: NotebookId) {
  const cells = await cellAuthors(suite.db, viewer.id, notebookId);
  return Object.fromEntries(Object.entries(cells).map(([id, a]) => [id, a.last.name]));
}

describe('who changed what', () => {
  it('attributes each cell to the person who changed it, and nothing to a viewer', async () => {
    const { ada, bob, vera, nb } = await team();
    const a = connect(suite.port, nb.id, ada.token);
    const b = connect(suite.port, nb.id, bob.token);
    const v = connect(suite.port, nb.id, vera.token);
    await Promise.all([synced(a), synced(b), synced(v)]);
    const [orders, notes, totals] = orderedCells(a.doc).map((c) => c.id);

    orderedCells(a.doc)[0]!.source.insert(0, '-- Ada\n');
    orderedCells(b.doc)[1]!.source.insert(5, ' by Bob');
    // Vera's client edits its own copy; the server drops the update.
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    const dropped = room.stats.droppedFromViewers;
    orderedCells(v.doc)[2]!.source.insert(0, '-- Vera was here\n');
    await until(() => room.stats.droppedFromViewers > dropped, 'the viewer’s update to be dropped');
    await until(
      () =>
        orderedCells(a.doc)[1]!.source.toString() === 'Notes by Bob' &&
        orderedCells(b.doc)[0]!.source.toString().startsWith('-- Ada'),
      'both edits to reach everyone'
    );
    await room.settled();

    const names = await lastNames(vera, nb.id);
    expect(names).toEqual({ [orders!]: 'Ada', [notes!]: 'Bob' });
    expect(names[totals!]).toBeUndefined();
    const cells = await cellAuthors(suite.db, vera.id, nb.id);
    expect(cells[orders!]!.last.id).toBe(ada.id);
    expect(Date.now() - new Date(cells[notes!]!.last.at).getTime()).toBeLessThan(60_000);

    // A move is a change of the moved cell; a run record is not a change at all.
    moveCell(b.doc, totals!, 0);
    orderedCells(a.doc)
      .find((c) => c.id === notes)!
      .run.set('status', 'ok');
    await until(() => orderedCells(a.doc)[0]!.id === totals, 'the move to reach Ada');
    await room.settled();
    expect(await lastNames(vera, nb.id)).toEqual({ [orders!]: 'Ada', [notes!]: 'Bob', [totals!]: 'Bob' });
  });

  it('attributes a restore to whoever restored, and a version’s changes to the people who made them', async () => {
    const { ada, bob, vera, nb } = await team();
    const a = connect(suite.port, nb.id, ada.token);
    const b = connect(suite.port, nb.id, bob.token);
    await Promise.all([synced(a), synced(b)]);
    const [orders, notes, totals] = orderedCells(a.doc).map((c) => c.id);
    const v1 = await saveNamedVersion(suite.db, ada.id, nb.id, { label: 'v1' });

    // Bob rewrites one query and deletes the notes; Ada edits the other query.
    const text = orderedCells(b.doc)[2]!.source;
    text.delete(0, text.length);
    text.insert(0, 'select count(*) from orders');
    deleteCell(b.doc, notes!);
    orderedCells(a.doc)[0]!.source.insert(0, '-- checked\n');
    await until(
      () => orderedCells(a.doc).length === 2 && orderedCells(b.doc)[0]!.source.toString().startsWith('--'),
      'the edits to reach everyone'
    );
    const v2 = await saveNamedVersion(suite.db, ada.id, nb.id, { label: 'v2' });

    const changes = await versionChanges(suite.db, vera.id, nb.id, v2.id);
    const byId = Object.fromEntries(changes.cells.map((c) => [c.id, c]));
    expect(byId[totals!]).toMatchObject({ status: 'changed', name: 'totals', people: [{ name: 'Bob' }] });
    expect(byId[notes!]).toMatchObject({ status: 'removed', people: [{ name: 'Bob' }] });
    expect(byId[orders!]).toMatchObject({ status: 'changed', people: [{ name: 'Ada' }] });
    expect(changes.people.map((p) => p.name)).toEqual(['Ada', 'Bob']);
    // The version before had none of these edits.
    const first = await versionChanges(suite.db, vera.id, nb.id, v1.id);
    expect(first.cells.flatMap((c) => c.people)).toEqual([]);

    // Ada restores the deleted notes: the cell's last change is hers, Bob's stays among its editors.
    await restoreVersion(suite.db, ada.id, nb.id, v1.id, { cellId: notes });
    await until(() => orderedCells(b.doc).some((c) => c.id === notes), 'the restore to reach Bob');
    const cells = await cellAuthors(suite.db, vera.id, nb.id);
    expect(cells[notes!]!.last.name).toBe('Ada');
    expect(cells[notes!]!.editors.map((e) => e.name)).toEqual(['Ada', 'Bob']);
    expect(cells[totals!]!.last.name).toBe('Bob');
  });

  it('still attributes a version’s changes after thinning removed the version before it, and after compaction', async () => {
    const { ada, bob, vera, nb } = await team();
    const a = connect(suite.port, nb.id, ada.token);
    const b = connect(suite.port, nb.id, bob.token);
    await Promise.all([synced(a), synced(b)]);
    const [orders, , totals] = orderedCells(a.doc).map((c) => c.id);
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    const [v0] = await listVersions(suite.db, nb.id);
    orderedCells(b.doc)[0]!.source.insert(0, '-- Bob\n');
    await until(() => orderedCells(a.doc)[0]!.source.toString().startsWith('-- Bob'), 'Bob’s edit');
    const vA = (await room.checkpoint('auto'))!;
    orderedCells(a.doc)[2]!.source.insert(0, '-- Ada\n');
    await until(() => orderedCells(b.doc)[2]!.source.toString().startsWith('-- Ada'), 'Ada’s edit');
    const vB = (await room.checkpoint('auto'))!;
    await room.cellEdits.flush();
    await room.compact();

    // Five days ago: the first version in one hour, the other two (and the edits) together in a later one.
    const HOUR = 3_600_000;
    const now = Math.ceil((Date.now() + 10 * 24 * HOUR) / HOUR) * HOUR + 30 * 60_000;
    const ago = (minutes: number) => new Date(now - 5 * 24 * HOUR - minutes * 60_000);
    const setVersion = (id: number, at: Date) =>
      suite.db.query('update doc_versions set created_at = $2 where id = $1', [id, at]);
    await setVersion(v0!.id, ago(180));
    await setVersion(vA.id, ago(20));
    await setVersion(vB.id, ago(10));
    const setEdits = (userId: string, at: Date) =>
      suite.db.query(
        'update cell_edits set minute = $3, first_at = $3, last_at = $3 where notebook_id = $1 and user_id = $2',
        [nb.id, userId, at]
      );
    await setEdits(bob.id, ago(25));
    await setEdits(ada.id, ago(15));

    const peopleOf = async (versionId: number) =>
      Object.fromEntries(
        (await versionChanges(suite.db, vera.id, nb.id, versionId)).cells.map((c) => [
          c.id,
          c.people.map((p) => p.name)
        ])
      );
    expect(await peopleOf(vB.id)).toEqual({ [totals!]: ['Ada'] });
    await thinVersions(suite.db, new Date(now));
    const left = (await listVersions(suite.db, nb.id)).map((v) => v.id);
    expect(left).toContain(vB.id);
    expect(left).not.toContain(vA.id);
    // vB now follows v0: its changes, and who made them, span both.
    expect(await peopleOf(vB.id)).toEqual({ [orders!]: ['Bob'], [totals!]: ['Ada'] });
  });

  it('refuses people outside the notebook', async () => {
    const { nb } = await team();
    const stranger = await person(suite.db, 'Mallory');
    await expect(cellAuthors(suite.db, stranger.id, nb.id)).rejects.toMatchObject({ status: 404 });
    const [v] = await listVersions(suite.db, nb.id);
    if (v)
      await expect(versionChanges(suite.db, stranger.id, nb.id, v.id)).rejects.toMatchObject({ status: 404 });
  });

  it('keeps attributions while the database refuses them, and writes them once it answers', async () => {
    const { ada, nb } = await team();
    let failing = true;
    const flaky: Db = {
      kind: suite.db.kind,
      transaction: (fn) => suite.db.transaction(fn),
      exclusively: (key, fn) => suite.db.exclusively(key, fn),
      close: () => suite.db.close(),
      query: (sql, params) =>
        failing && sql.includes('insert into cell_edits')
          ? Promise.reject(new Error('connection reset'))
          : suite.db.query(sql, params)
    };
    const recorder = new CellEditRecorder(flaky, nb.id, {
      flushMs: 60_000,
      maxBackoffMs: 60_000,
      maxPending: 3
    });
    recorder.note(ada.id, ['c1', 'c2']);
    await recorder.flush(); // never rejects
    expect(recorder.stats.failedWrites).toBe(1);
    expect(recorder.unwritten).toBe(2);
    expect(await latestEditors(suite.db, nb.id)).toEqual([]);
    failing = false;
    await recorder.flush();
    expect(recorder.unwritten).toBe(0);
    expect((await latestEditors(suite.db, nb.id)).map((r) => r.cellId).sort()).toEqual(['c1', 'c2']);
    // Beyond its bound it gives up the oldest rows, and counts them.
    failing = true;
    recorder.note(ada.id, ['d1', 'd2', 'd3', 'd4']);
    expect(recorder.stats.dropped).toBe(1);
    await recorder.close();
    expect(recorder.stats.dropped).toBe(4);
  });

  it('prunes old rows but keeps each person’s newest change of each cell', async () => {
    const { ada, bob, nb } = await team();
    const day = 86_400_000;
    const now = Date.now();
    const row = (cellId: string, userId: string, ago: number) => {
      const at = now - ago;
      return { cellId, userId: userId as UserId, minute: at - (at % 60_000), firstAt: at, lastAt: at };
    };
    await writeCellEdits(suite.db, nb.id, [
      row('old', ada.id, 400 * day),
      row('old', ada.id, 300 * day),
      row('old', bob.id, 365 * day),
      row('recent', ada.id, 200 * day),
      row('recent', ada.id, 1 * day)
    ]);
    const before = await suite.db.query<{ n: number }>(
      'select count(*)::int as n from cell_edits where notebook_id = $1',
      [nb.id]
    );
    expect(before[0]!.n).toBe(5);
    await pruneCellEdits(suite.db, new Date(now));
    const rows = await suite.db.query<{ cell_id: string; user_id: string; last_at: Date }>(
      'select cell_id, user_id, last_at from cell_edits where notebook_id = $1 order by cell_id, user_id, last_at',
      [nb.id]
    );
    const kept = rows.map(
      (r) => `${r.cell_id} ${r.user_id} ${Math.round((now - new Date(r.last_at).getTime()) / day)}`
    );
    expect(kept.sort()).toEqual([`old ${ada.id} 300`, `old ${bob.id} 365`, `recent ${ada.id} 1`].sort());
  });
});
