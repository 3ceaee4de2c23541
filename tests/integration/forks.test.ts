// Forks and templates with a real database and file store: what a fork copies, that it never writes back, and who
// may fork what.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCell, orderedCells } from '../../cells/document';
import { appendUpdates, loadDoc } from '../../server/collab/doc-store';
import { listFiles, parquetPath } from '../../server/files/files';
import { forkNotebook, listTemplates, originOf, setTemplate } from '../../server/notebooks/fork';
import { createNotebook } from '../../server/notebooks/notebooks';
import { resultPath, storeResult } from '../../server/results/results';
import { join, person } from './helpers/people';
import { uploadCsv } from './helpers/upload';
import { freshDb, type TestDb } from './helpers/test-db';
import { CellIdSchema } from '../../server/ids';

let t: TestDb;
let dataDir: string;
beforeAll(async () => {
  t = await freshDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-forks-'));
});
afterAll(async () => {
  await t?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

async function original() {
  const ann = await person(t.db, 'Original Ann');
  await uploadCsv(t.db, dataDir, ann, 'orders.csv', 'id,amount\n1,10\n2,20\n3,30\n');
  await uploadCsv(t.db, dataDir, ann, 'unrelated.csv', 'x\n1\n');
  const nb = await createNotebook(t.db, ann.id, ann.workspaceId, { title: 'Sales' }, [
    { kind: 'sql', name: 'total', source: 'select sum(amount) as total from orders' },
    { kind: 'sql', name: 'on_db', source: 'select 1', config: { engine: 'some-connection-id' } }
  ]);
  const [cell] = orderedCells(await loadDoc(t.db, nb.id));
  const arrow = Buffer.from(tableToIPC(tableFromArrays({ total: Int32Array.from([60]) }), 'stream'));
  await storeResult(t.db, dataDir, {
    userId: ann.id,
    notebookId: nb.id,
    cellId: CellIdSchema.parse(cell!.id),
    runId: 'run1',
    body: Readable.from([arrow])
  });
  return { ann, nb, cellId: CellIdSchema.parse(cell!.id) };
}

describe('forking', () => {
  it('copies the document, the files its queries read and the stored results into the forker’s workspace', async () => {
    const { ann, nb, cellId } = await original();
    const bea = await person(t.db, 'Forking Bea');
    await join(t.db, ann, bea, 'viewer');

    const fork = await forkNotebook(t.db, dataDir, bea.id, nb.id, { workspaceId: bea.workspaceId });
    expect(fork.title).toBe('Sales (copy)');
    const doc = await loadDoc(t.db, fork.id);
    const cells = orderedCells(doc);
    expect(cells.map((c) => c.source.toString())).toEqual([
      'select sum(amount) as total from orders',
      'select 1'
    ]);
    expect(cells[1]!.config.get('engine')).toBe('some-connection-id'); // asks for a connection of the new workspace

    const files = await listFiles(t.db, bea.id, bea.workspaceId);
    expect(files.map((f) => [f.tableName, f.rowCount])).toEqual([['orders', 3]]); // not the unrelated file
    expect(existsSync(parquetPath(dataDir, bea.workspaceId, files[0]!.id))).toBe(true);
    expect(
      existsSync(
        await resultPath(t.db, dataDir, { userId: bea.id, notebookId: fork.id, cellId, runId: 'run1' })
      )
    ).toBe(true);
    expect(await originOf(t.db, bea.id, fork.id)).toEqual({
      template: 'no',
      forkedFrom: { id: nb.id, title: 'Sales', visible: true }
    });

    // Independent: an edit to the fork does not reach the original.
    const edit = new Y.Doc();
    Y.applyUpdate(edit, Y.encodeStateAsUpdate(doc));
    const before = Y.encodeStateVector(edit);
    insertCell(edit, { kind: 'text', source: 'only in the fork' }, 0);
    await appendUpdates(t.db, fork.id, [Y.encodeStateAsUpdate(edit, before)]);
    expect(orderedCells(await loadDoc(t.db, fork.id))).toHaveLength(3);
    expect(orderedCells(await loadDoc(t.db, nb.id))).toHaveLength(2);
  });

  it('needs read access to the source and edit access to the target; a public template is open to anyone', async () => {
    const { ann, nb } = await original();
    const stranger = await person(t.db, 'Stranger Sam');
    const viewer = await person(t.db, 'Viewer Vi');
    await join(t.db, ann, viewer, 'viewer');
    await expect(
      forkNotebook(t.db, dataDir, stranger.id, nb.id, { workspaceId: stranger.workspaceId })
    ).rejects.toThrow(/not found/);
    await expect(
      forkNotebook(t.db, dataDir, viewer.id, nb.id, { workspaceId: ann.workspaceId })
    ).rejects.toThrow(/only editors/);
    await expect(setTemplate(t.db, viewer.id, nb.id, 'public')).rejects.toThrow(/only editors/);

    await setTemplate(t.db, ann.id, nb.id, 'workspace');
    expect((await listTemplates(t.db, ann.id, ann.workspaceId)).map((x) => x.title)).toContain('Sales');
    expect((await listTemplates(t.db, stranger.id, stranger.workspaceId)).map((x) => x.id)).not.toContain(
      nb.id
    );
    await setTemplate(t.db, ann.id, nb.id, 'public');
    expect((await listTemplates(t.db, stranger.id, stranger.workspaceId)).map((x) => x.id)).toContain(nb.id);
    const used = await forkNotebook(t.db, dataDir, stranger.id, nb.id, {
      workspaceId: stranger.workspaceId,
      title: 'Mine'
    });
    expect(used.title).toBe('Mine');
    expect((await originOf(t.db, stranger.id, used.id)).forkedFrom).toMatchObject({
      title: 'Sales',
      visible: true
    });
    await setTemplate(t.db, ann.id, nb.id, 'no');
    expect((await originOf(t.db, stranger.id, used.id)).forkedFrom).toMatchObject({
      title: 'a notebook you cannot open',
      visible: false
    });
  });
});
