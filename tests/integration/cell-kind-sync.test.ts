// A cell kind is one folder plus its registry line: a throwaway kind defined under tests/ (a tally), registered
// with registerCellKind, travels between two people's documents through a real collaboration server over real
// sockets, and is stored; the server needs no change for it.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { cellKind, registerCellKind, type RegisteredKindName } from '../../cells/registry';
import { viewOf } from '../../cells/cell-view';
import { insertCell, orderedCells } from '../../cells/document';
import { loadDoc } from '../../server/collab/doc-store';
import { roomsFor } from '../../server/collab/rooms';
import { createNotebook } from '../../server/notebooks/notebooks';
import { tallyKind } from '../fixtures/tally-kind/kind';
import { connect, synced, until } from './helpers/collab';
import { join, person } from './helpers/people';
import { collabSuite } from './helpers/collab-suite';

let TALLY: RegisteredKindName;
beforeAll(() => {
  TALLY = registerCellKind(tallyKind);
});
const suite = collabSuite();

const tallyIn = (doc: Y.Doc) => orderedCells(doc).find((c) => c.kind === TALLY);

describe('a cell kind registered outside cells/', () => {
  it('syncs between two editors through the collaboration server and is stored', async () => {
    const owner = await person(suite.db, 'Owner');
    const editor = await person(suite.db, 'Editor');
    await join(suite.db, owner, editor, 'editor');
    const nb = await createNotebook(suite.db, owner.id, owner.workspaceId, { title: 'Tallies' });
    const a = connect(suite.port, nb.id, owner.token);
    const b = connect(suite.port, nb.id, editor.token);
    await Promise.all([synced(a), synced(b)]);
    expect(tallyIn(b.doc)).toBeUndefined();

    const id = insertCell(a.doc, { kind: TALLY, config: { count: 2 } }, 1);
    await until(() => tallyIn(b.doc) !== undefined, 'the tally cell to reach the other editor');
    const there = tallyIn(b.doc)!;
    expect(there.id).toBe(id);
    expect(orderedCells(b.doc).map((c) => c.kind)).toEqual(['sql', 'tally']);
    // The other side reads it through the registry, as labels and the assistant's context do.
    expect(cellKind(there.kind)?.labelOf(viewOf(there))).toBe('Tally of 2');

    // And back: the other editor counts, the first sees it.
    there.config.set('count', 3);
    await until(() => tallyIn(a.doc)?.config.get('count') === 3, 'the new count to come back');

    await (await roomsFor(suite.db).peek(nb.id))!.settled();
    const stored = tallyIn(await loadDoc(suite.db, nb.id));
    expect(stored?.id).toBe(id);
    expect(stored && cellKind(stored.kind)?.labelOf(viewOf(stored))).toBe('Tally of 3');
  });
});
