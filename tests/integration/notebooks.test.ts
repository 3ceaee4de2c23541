import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNotebook,
  deleteNotebook,
  listNotebooks,
  purgeDeletedNotebooks,
  renameNotebook,
  restoreNotebook,
  runsLocalSql
} from '../../server/notebooks/notebooks';
import { insertCell } from '../../cells/document';
import { roomsFor } from '../../server/collab/rooms';
import { requireNotebookRole } from '../../server/workspaces/access';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => t.cleanup());

const titles = (list: { title: string }[]) => list.map((n) => n.title);

describe('notebooks', () => {
  it('lists newest-edited first and searches titles case-insensitively', async () => {
    const u = await person(t.db);
    const a = await createNotebook(t.db, u.id, u.workspaceId, { title: 'Churn analysis' });
    await createNotebook(t.db, u.id, u.workspaceId, { title: 'Revenue by region' });
    await createNotebook(t.db, u.id, u.workspaceId, {});
    await renameNotebook(t.db, u.id, a.id, { title: 'Churn analysis v2' });
    const all = await listNotebooks(t.db, u.id, u.workspaceId);
    expect(titles(all)[0]).toBe('Churn analysis v2');
    expect(titles(all)).toContain('Untitled notebook');
    expect(titles(await listNotebooks(t.db, u.id, u.workspaceId, { q: 'REVENUE' }))).toEqual([
      'Revenue by region'
    ]);
    expect(await listNotebooks(t.db, u.id, u.workspaceId, { q: 'nothing like this' })).toEqual([]);
  });

  it('stores SQL-looking titles verbatim and matches wildcards literally', async () => {
    const u = await person(t.db);
    const evil = `Robert'); DROP TABLE notebooks; --`;
    await createNotebook(t.db, u.id, u.workspaceId, { title: evil });
    await createNotebook(t.db, u.id, u.workspaceId, { title: '100% growth' });
    await createNotebook(t.db, u.id, u.workspaceId, { title: '100 growth' });
    expect(titles(await listNotebooks(t.db, u.id, u.workspaceId, { q: 'drop table' }))).toEqual([evil]);
    expect(titles(await listNotebooks(t.db, u.id, u.workspaceId, { q: '100%' }))).toEqual(['100% growth']);
    expect(titles(await listNotebooks(t.db, u.id, u.workspaceId, { q: '_' }))).toEqual([]);
  });

  it('rejects empty and overlong titles with a message', async () => {
    const u = await person(t.db);
    const nb = await createNotebook(t.db, u.id, u.workspaceId, { title: 'Keep me' });
    const empty = await renameNotebook(t.db, u.id, nb.id, { title: '   ' }).catch((e) => e);
    expect(empty.message).toBe('Give the notebook a title.');
    const long = await renameNotebook(t.db, u.id, nb.id, { title: 'x'.repeat(201) }).catch((e) => e);
    expect(long.code).toBe('invalid');
    expect(titles(await listNotebooks(t.db, u.id, u.workspaceId))).toEqual(['Keep me']);
  });

  it('says whether a notebook has SQL that runs in the browser (its page then starts DuckDB-WASM early)', async () => {
    const u = await person(t.db);
    const starter = await createNotebook(t.db, u.id, u.workspaceId, { title: 'Starter' });
    expect(await runsLocalSql(t.db, starter.id)).toBe(true);
    const remote = await createNotebook(t.db, u.id, u.workspaceId, { title: 'Remote only' }, [
      { kind: 'text', source: '# Sales' },
      { kind: 'sql', source: 'select 1', config: { engine: 'c0nnect10n1d' } }
    ]);
    expect(await runsLocalSql(t.db, remote.id)).toBe(false);
    // A later edit (here through the room, as a co-editor's would be stored) is what counts.
    await roomsFor(t.db).edit(remote.id, (doc) => insertCell(doc, { kind: 'sql' }, 2));
    expect(await runsLocalSql(t.db, remote.id)).toBe(true);
  });

  it('soft-deletes to the trash, restores, and purges after 30 days', async () => {
    const u = await person(t.db);
    const nb = await createNotebook(t.db, u.id, u.workspaceId, { title: 'Old analysis' });
    await deleteNotebook(t.db, u.id, nb.id);
    expect(await listNotebooks(t.db, u.id, u.workspaceId)).toEqual([]);
    expect(titles(await listNotebooks(t.db, u.id, u.workspaceId, { trash: true }))).toEqual(['Old analysis']);
    await expect(requireNotebookRole(t.db, u.id, nb.id, 'viewer')).rejects.toMatchObject({
      code: 'not_found'
    });

    await restoreNotebook(t.db, u.id, nb.id);
    expect(titles(await listNotebooks(t.db, u.id, u.workspaceId))).toEqual(['Old analysis']);

    await deleteNotebook(t.db, u.id, nb.id);
    await t.db.query(`update notebooks set deleted_at = now() - interval '31 days' where id = $1`, [nb.id]);
    expect(await listNotebooks(t.db, u.id, u.workspaceId, { trash: true })).toEqual([]);
    expect(await purgeDeletedNotebooks(t.db)).toBeGreaterThanOrEqual(1);
    expect(await t.db.query('select 1 from notebooks where id = $1', [nb.id])).toHaveLength(0);
  });
});
