// Compaction while people type (room.ts, doc-store.ts): a room writes its loaded document out as the snapshot when
// the store holds nothing it lacks, and reads and rebuilds the log when it does — rows written beside the room, or
// folded by another server's compaction — so nothing anyone stored is ever overwritten.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { orderedCells } from '../../cells/document';
import { appendUpdates, compactDoc, loadDoc } from '../../server/collab/doc-store';
import { roomsFor } from '../../server/collab/rooms';
import { createNotebook } from '../../server/notebooks/notebooks';
import { connect, synced, until } from './helpers/collab';
import { collabSuite } from './helpers/collab-suite';
import { person } from './helpers/people';

const suite = collabSuite();

async function typing() {
  const owner = await person(suite.db, 'Owner');
  const nb = await createNotebook(suite.db, owner.id, owner.workspaceId, { title: 'Compaction' }, [
    { kind: 'text', source: '' },
    { kind: 'text', source: '' }
  ]);
  const client = connect(suite.port, nb.id, owner.token);
  await synced(client);
  const room = (await roomsFor(suite.db).peek(nb.id))!;
  const type = async (text: string) => {
    const before = room.stats.stored;
    for (const ch of text)
      orderedCells(client.doc)[0]!.source.insert(orderedCells(client.doc)[0]!.source.length, ch);
    await until(() => room.stats.stored >= before + text.length, 'the typing to be stored');
  };
  return { nb, client, room, type };
}

/** An edit of the second cell written straight to the store, as code beside the room (or another server) does. */
async function writtenBeside(notebookId: string, text: string) {
  const doc = await loadDoc(suite.db, notebookId as never);
  const before = Y.encodeStateVector(doc);
  orderedCells(doc)[1]!.source.insert(0, text);
  await appendUpdates(suite.db, notebookId as never, [Y.encodeStateAsUpdate(doc, before)]);
  doc.destroy();
}

const stored = async (notebookId: string) => {
  const doc = await loadDoc(suite.db, notebookId as never);
  const texts = orderedCells(doc).map((c) => c.source.toString());
  doc.destroy();
  return texts;
};
const logRows = async (notebookId: string) =>
  (await suite.db.query('select 1 from doc_updates where notebook_id = $1', [notebookId])).length;

describe('compaction while people type', () => {
  it('writes the room’s own edits out without reading the log, and they load back the same', async () => {
    const { nb, room, type } = await typing();
    await type('hello world');
    await room.compact();
    expect(room.stats).toMatchObject({ compactedQuick: 1, compactedFull: 0 });
    expect(await logRows(nb.id)).toBe(0);
    expect(await stored(nb.id)).toEqual(['hello world', '']);
    await type('!');
    await room.compact();
    expect(room.stats.compactedQuick).toBe(2);
    expect(await stored(nb.id)).toEqual(['hello world!', '']);
  });

  it('reads the log when a row was written beside the room, keeps it, and shows it to the people connected', async () => {
    const { nb, client, room, type } = await typing();
    await type('typed');
    await writtenBeside(nb.id, 'beside');
    await room.compact();
    expect(room.stats).toMatchObject({ compactedQuick: 0, compactedFull: 1 });
    expect(await stored(nb.id)).toEqual(['typed', 'beside']);
    await until(() => orderedCells(client.doc)[1]!.source.toString() === 'beside', 'the client to see it');
    // Having read it, the room holds everything again: the next compaction is quick.
    await type('+');
    await room.compact();
    expect(room.stats).toMatchObject({ compactedQuick: 1, compactedFull: 1 });
    expect(await stored(nb.id)).toEqual(['typed+', 'beside']);
  });

  it('never overwrites a snapshot another server folded rows into that this room has not seen', async () => {
    const { nb, room, type } = await typing();
    await type('mine');
    await room.compact();
    // Another server: its edit, then its compaction folds it into the snapshot before this room hears of it.
    await writtenBeside(nb.id, 'theirs');
    await compactDoc(suite.db, nb.id);
    expect(await logRows(nb.id)).toBe(0);
    await type(' and more');
    await room.compact();
    expect(room.stats.compactedFull).toBe(1);
    expect(await stored(nb.id)).toEqual(['mine and more', 'theirs']);
  });
});
