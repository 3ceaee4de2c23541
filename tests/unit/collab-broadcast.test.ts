// What a room applies in one turn reaches each peer as one message: everyone else's updates merged, never the
// peer's own.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Broadcast } from '../../server/collab/broadcast';
import { decodeMessage } from '../../server/collab/messages';

class Peer {
  received: Uint8Array[] = [];
  send(data: Uint8Array) {
    this.received.push(data);
  }
  /** The text a fresh document holds after applying everything this peer received. */
  text(): string {
    const doc = new Y.Doc();
    for (const data of this.received) {
      const msg = decodeMessage(data);
      if (msg.type !== 'update') throw new Error(`expected an update, got ${msg.type}`);
      Y.applyUpdate(doc, msg.update);
    }
    return doc.getText('t').toString();
  }
}

/** An update of a document of its own: `text` typed by one client. */
function typed(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

const turn = () => new Promise((r) => setImmediate(r));
const sorted = (s: string) => [...s].sort().join('');

describe('a room broadcast', () => {
  it('sends one message a turn to each peer, with the others’ updates only', async () => {
    const [ann, bob, cy] = [new Peer(), new Peer(), new Peer()];
    const broadcast = new Broadcast(() => [ann, bob, cy]);
    broadcast.add(typed('a'), ann);
    broadcast.add(typed('b'), bob);
    broadcast.add(typed('s'), 'server');
    expect(cy.received).toHaveLength(0); // not before the end of the turn
    await turn();
    expect([ann, bob, cy].map((p) => p.received.length)).toEqual([1, 1, 1]);
    // Concurrent inserts at 0 from different clients: their order depends on client ids, not on who sent first.
    expect(sorted(cy.text())).toBe('abs');
    expect(sorted(ann.text())).toBe('bs');
    expect(sorted(bob.text())).toBe('as');
  });

  it('sends a peer nothing when everything in the turn was its own, and nothing once stopped', async () => {
    const [ann, bob] = [new Peer(), new Peer()];
    const broadcast = new Broadcast(() => [ann, bob]);
    broadcast.add(typed('x'), ann);
    broadcast.add(typed('y'), ann);
    await turn();
    expect(ann.received).toHaveLength(0);
    expect(sorted(bob.text())).toBe('xy');
    broadcast.add(typed('z'), ann);
    broadcast.stop();
    await turn();
    expect(bob.received).toHaveLength(1);
  });
});
