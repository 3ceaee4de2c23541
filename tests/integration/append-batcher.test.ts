// Rooms' writes that arrive together are stored together (one statement, one commit), each notebook's in its order,
// and one notebook's failure does not fail the others'.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AppendBatcher } from '../../server/collab/append-batcher';
import { loadDoc } from '../../server/collab/doc-store';
import type { NotebookId } from '../../server/ids';
import { createNotebook } from '../../server/notebooks/notebooks';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(() => t.cleanup());

/** Updates typing `text` one character at a time into a fresh document's text 't'. */
function typing(text: string): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  for (const ch of text) doc.getText('t').insert(doc.getText('t').length, ch);
  return out;
}

async function notebooks(n: number): Promise<NotebookId[]> {
  const owner = await person(t.db, 'Owner');
  const ids: NotebookId[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await createNotebook(t.db, owner.id, owner.workspaceId, { title: `Batch ${i}` })).id);
  }
  return ids;
}

async function storedText(id: NotebookId): Promise<string> {
  const doc = await loadDoc(t.db, id);
  const text = doc.getText('t').toString();
  doc.destroy();
  return text;
}

describe('the append batcher', () => {
  it('stores batches that arrive together in one commit, each notebook in its order', async () => {
    const ids = await notebooks(12);
    const batcher = new AppendBatcher(t.db);
    const seqs = await Promise.all(ids.map((id, i) => batcher.append(id, typing(`notebook ${i}`))));
    for (const [i, id] of ids.entries()) {
      expect(await storedText(id)).toBe(`notebook ${i}`);
      const own = seqs[i]!;
      expect(own).toHaveLength(`notebook ${i}`.length);
      expect([...own].sort((a, b) => a - b)).toEqual(own);
    }
    // Rows of one transaction share its start time (now()); rows of twelve commits would not.
    const [row] = await t.db.query<{ commits: unknown }>(
      `select count(distinct created_at) as commits from doc_updates where seq = any($1::bigint[])`,
      [seqs.flat()]
    );
    expect(Number(row!.commits)).toBe(1);
  });

  it('fails only the notebook whose write cannot be stored', async () => {
    const [kept, gone, alsoKept] = await notebooks(3);
    await t.db.query('delete from notebooks where id = $1', [gone]);
    const batcher = new AppendBatcher(t.db);
    const results = await Promise.allSettled([
      batcher.append(kept!, typing('kept')),
      batcher.append(gone!, typing('lost')),
      batcher.append(alsoKept!, typing('also kept'))
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await storedText(kept!)).toBe('kept');
    expect(await storedText(alsoKept!)).toBe('also kept');
  });
});
