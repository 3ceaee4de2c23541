// Presence (awareness) from clients is checked before anyone else sees it: a malformed remote cursor throws inside
// y-codemirror in every co-editor's tab, and a presence flood from one connection was forwarded to everyone 1:1.
import { isDeepStrictEqual } from 'node:util';
import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { orderedCells } from '../../cells/document';
import { roomsFor } from '../../server/collab/rooms';
import { createNotebook } from '../../server/notebooks/notebooks';
import { announce } from '../../src/lib/collab/presence';
import {
  awarenessFrame,
  closeOf,
  connect as connectClient,
  rawSocket,
  readAwarenessFrame,
  roundTrip,
  synced,
  until
} from './helpers/collab';
import { join, person } from './helpers/people';
import { collabSuite } from './helpers/collab-suite';

const suite = collabSuite();

async function team() {
  const owner = await person(suite.db, 'Owner');
  const editor = await person(suite.db, 'Editor');
  const viewer = await person(suite.db, 'Viewer');
  await join(suite.db, owner, editor, 'editor');
  await join(suite.db, owner, viewer, 'viewer');
  const nb = await createNotebook(suite.db, owner.id, owner.workspaceId, { title: 'Presence' });
  return { owner, editor, viewer, nb };
}

/** A y-websocket client that announces itself as the notebook page does. */
function connect(port: number, notebookId: string, who: { id: string; name: string; token: string }) {
  const client = connectClient(port, notebookId, who.token);
  announce(client.provider.awareness, who);
  return client;
}

type State = { user?: { id?: string; name?: string }; cursor?: { anchor?: unknown; head?: unknown } | null };
const stateOf = (awareness: Awareness, clientId: number) =>
  awareness.getStates().get(clientId) as State | undefined;

/** What y-codemirror's remote-selection plugin does with every other client's state on each editor update
 * (y-remote-selections.js): it resolves `cursor.anchor` and `cursor.head` in the document, unchecked. Returns
 * what that threw — in a browser, the error that takes the plugin down. */
function drawRemoteCursors(awareness: Awareness, doc: Y.Doc): unknown[] {
  const errors: unknown[] = [];
  awareness.getStates().forEach((state, clientId) => {
    if (clientId === doc.clientID) return;
    const cursor = (state as State).cursor;
    if (cursor == null || cursor.anchor == null || cursor.head == null) return;
    try {
      Y.createAbsolutePositionFromRelativePosition(cursor.anchor as Y.RelativePosition, doc);
      Y.createAbsolutePositionFromRelativePosition(cursor.head as Y.RelativePosition, doc);
    } catch (e) {
      errors.push(e);
    }
  });
  return errors;
}

/** Counts the bytes of awareness messages that mention any of `ids`, as a raw co-editor receives them. */
function presenceBytesAbout(ws: import('ws').WebSocket, ids: number[]): { bytes: number } {
  const out = { bytes: 0 };
  ws.on('message', (data: Buffer) => {
    const entries = readAwarenessFrame(new Uint8Array(data));
    if (entries?.some((e) => ids.includes(e.clientId))) out.bytes += data.length;
  });
  return out;
}

describe('presence', () => {
  it("a viewer's malformed cursor never reaches a co-editor (it would crash their editor); valid presence does", async () => {
    const { owner, viewer, nb } = await team();
    const a = connect(suite.port, nb.id, owner);
    const v = connect(suite.port, nb.id, viewer);
    await Promise.all([synced(a), synced(v)]);
    const crashes: unknown[] = [];
    const seen: State[] = [];
    a.provider.awareness.on('update', ({ added, updated }: { added: number[]; updated: number[] }) => {
      const s = stateOf(a.provider.awareness, v.doc.clientID);
      if (s && [...added, ...updated].includes(v.doc.clientID)) seen.push(structuredClone(s));
      crashes.push(...drawRemoteCursors(a.provider.awareness, a.doc));
    });

    // Where y-codemirror puts a cursor at the start of the first cell, as JSON.
    const source = orderedCells(v.doc)[0]!.source;
    const at = JSON.parse(JSON.stringify(Y.createRelativePositionFromTypeIndex(source, 0))) as Record<
      string,
      unknown
    >;
    const malformed = [
      { anchor: { ...at, item: null, type: { client: 'x', clock: 'y' } }, head: at }, // as reported
      { anchor: { type: at.type, tname: null, assoc: 0 }, head: at }, // `item` missing: read as undefined
      { anchor: { type: null, tname: null, item: null, assoc: 0 }, head: at }, // points nowhere
      { anchor: at, head: { ...at, item: null, type: { client: 1, clock: -1 } } },
      { anchor: at, head: 'end' }
    ];
    for (const cursor of malformed) v.provider.awareness.setLocalStateField('cursor', cursor);
    v.provider.awareness.setLocalStateField('cursor', { anchor: at, head: at });
    await until(
      () =>
        isDeepStrictEqual(stateOf(a.provider.awareness, v.doc.clientID)?.cursor, { anchor: at, head: at }),
      'the viewer’s valid cursor to reach the co-editor'
    );

    expect(crashes).toEqual([]);
    for (const s of seen) expect(malformed).not.toContainEqual(s.cursor);
    const last = stateOf(a.provider.awareness, v.doc.clientID)!;
    expect(last.user).toMatchObject({ id: viewer.id, name: 'Viewer' });
    const anchor = Y.createAbsolutePositionFromRelativePosition(
      last.cursor!.anchor as Y.RelativePosition,
      a.doc
    );
    expect(anchor?.type).toBe(orderedCells(a.doc)[0]!.source);
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    expect(room.stats.presenceRefused).toBeGreaterThanOrEqual(malformed.length);
  });

  it('a 28 MB presence flood reaches co-editors as a small trickle; the flooder is closed and the server carries on', async () => {
    const { owner, editor, viewer, nb } = await team();
    const a = connect(suite.port, nb.id, owner);
    const b = connect(suite.port, nb.id, editor);
    await Promise.all([synced(a), synced(b)]);
    const observer = await rawSocket(suite.port, nb.id, owner.token);
    const flooderId = 424_242;
    const received = presenceBytesAbout(observer, [flooderId]);
    await roundTrip(observer);

    const flooder = await rawSocket(suite.port, nb.id, viewer.token);
    const closed = closeOf(flooder);
    // 7,000 well-formed states for its own client id, each padded to 4 KB: 28 MB.
    const padding = 'x'.repeat(4_000);
    for (let clock = 1; clock <= 7_000; clock++) {
      const state = { user: { color: '#2563eb' }, cursor: null, padding };
      flooder.send(awarenessFrame([{ clientId: flooderId, clock, state }]));
    }
    await until(
      () => closed.value !== null || received.bytes > 1_000_000,
      'the flood to be stopped (or forwarded)',
      20_000
    );
    expect(received.bytes).toBeLessThan(100_000);
    expect(closed.value).toEqual({ code: 1008, reason: 'Too many presence updates.' });

    // Everything the server forwarded before this answer has arrived; nothing trickles in afterwards either.
    await roundTrip(observer);
    await new Promise((r) => setTimeout(r, 300));
    await roundTrip(observer);
    expect(received.bytes).toBeLessThan(100_000);
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    expect(room.stats.presenceCoalesced).toBeGreaterThan(0);

    // The others are unaffected: edits flow, and a newcomer joins and sees who is here.
    orderedCells(a.doc)[0]!.source.insert(0, 'still here');
    await until(() => orderedCells(b.doc)[0]!.source.toString() === 'still here', 'an edit to reach b');
    const c = connect(suite.port, nb.id, editor);
    await synced(c);
    await until(() => c.provider.awareness.getStates().has(a.doc.clientID), 'presence to reach a newcomer');
    expect(c.provider.awareness.getStates().has(flooderId)).toBe(false);
    expect(observer.readyState).toBe(observer.OPEN);
    observer.close();
  });

  it('one huge presence message is refused unread and closes its connection; a frame beyond the limit too', async () => {
    const { owner, viewer, nb } = await team();
    const a = connect(suite.port, nb.id, owner);
    await synced(a);
    const observer = await rawSocket(suite.port, nb.id, owner.token);
    const bigId = 515_151;
    const received = presenceBytesAbout(observer, [bigId]);
    await roundTrip(observer);

    const big = await rawSocket(suite.port, nb.id, viewer.token);
    const bigClosed = closeOf(big);
    const state = { user: { color: '#2563eb' }, padding: 'x'.repeat(28 * 1024 * 1024) };
    big.send(awarenessFrame([{ clientId: bigId, clock: 1, state }]));
    await until(
      () => bigClosed.value !== null,
      'the connection that sent 28 MB of presence to close',
      20_000
    );
    expect(bigClosed.value!.code).toBe(1008);

    // Beyond ws's maxPayload the frame is not even buffered whole.
    const huge = await rawSocket(suite.port, nb.id, viewer.token);
    const hugeClosed = closeOf(huge);
    huge.send(Buffer.alloc(33 * 1024 * 1024, 1));
    await until(() => hugeClosed.value !== null, 'the connection that sent a 33 MB frame to close', 20_000);
    expect(hugeClosed.value!.code).toBe(1009);

    await roundTrip(observer);
    expect(received.bytes).toBe(0);
    orderedCells(a.doc)[0]!.source.insert(0, 'fine');
    const c = connect(suite.port, nb.id, owner);
    await synced(c);
    await until(() => orderedCells(c.doc)[0]!.source.toString() === 'fine', 'a newcomer to get the document');
    observer.close();
  });

  it('a connection speaks for one client id: states for more ids are dropped', async () => {
    const { owner, editor, nb } = await team();
    const a = connect(suite.port, nb.id, owner);
    await synced(a);
    const evil = await rawSocket(suite.port, nb.id, editor.token);
    const ids = [1001, 1002, 1003, 1004, 1005];
    const state = { user: { color: '#16a34a' }, cursor: null };
    evil.send(awarenessFrame(ids.map((clientId) => ({ clientId, clock: 1, state }))));
    evil.send(awarenessFrame([{ clientId: 1002, clock: 2, state }]));
    // Last, a change to the first id: once it has arrived, anything sent before it has too.
    evil.send(awarenessFrame([{ clientId: 1001, clock: 3, state: { user: { color: '#16a34a' } } }]));
    await until(() => {
      const s = stateOf(a.provider.awareness, 1001);
      return s !== undefined && !('cursor' in s);
    }, 'the connection’s own presence to arrive');
    expect(ids.filter((id) => a.provider.awareness.getStates().has(id))).toEqual([1001]);
    expect(stateOf(a.provider.awareness, 1001)!.user).toMatchObject({ id: editor.id, name: 'Editor' });
    evil.close();
  });

  it("nobody can take a person's client id while they are away; it is theirs again when they reconnect", async () => {
    const { owner, editor, nb } = await team();
    const a = connect(suite.port, nb.id, owner);
    const b = connect(suite.port, nb.id, editor); // a real client: it echoes every state it receives
    await Promise.all([synced(a), synced(b)]);
    const victim = a.doc.clientID;
    const atB = () => b.provider.awareness;
    await until(() => atB().getStates().has(victim), 'the owner’s presence to reach b');
    a.provider.disconnect();
    await until(() => !atB().getStates().has(victim), 'the owner’s presence to go');

    const evil = await rawSocket(suite.port, nb.id, editor.token);
    const evilId = 777_777;
    const state = { user: { color: '#dc2626' }, cursor: null };
    evil.send(awarenessFrame([{ clientId: victim, clock: 1_000_000, state }]));
    evil.send(awarenessFrame([{ clientId: evilId, clock: 1, state }]));
    await until(() => atB().getStates().has(evilId), 'the second message to arrive');
    expect(atB().getStates().has(victim)).toBe(false);

    a.provider.connect();
    await synced(a);
    // y-websocket announces itself again with the clock it left with, which the server already has; the next
    // change (a cursor move, or the renewal every 15 s) shows it.
    a.provider.awareness.setLocalStateField('cursor', null);
    await until(() => stateOf(atB(), victim)?.user?.id === owner.id, 'the owner’s presence to return');
    evil.close();
  });

  it("garbage presence frames are dropped without breaking the sender's or anyone else's connection", async () => {
    const { owner, editor, viewer, nb } = await team();
    const a = connect(suite.port, nb.id, owner);
    const b = connect(suite.port, nb.id, editor);
    await Promise.all([synced(a), synced(b)]);
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    const before = room.stats.malformed;
    const sender = await rawSocket(suite.port, nb.id, viewer.token);
    const utf8 = (s: string) => [...Buffer.from(s)];
    const wrap = (update: number[]) => Buffer.from([1, update.length, ...update]);
    const frames: (Buffer | string)[] = [
      Buffer.from([1]), // awareness without a body
      Buffer.from([1, 0x80]), // unterminated length
      wrap([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), // a count beyond any integer
      wrap([5, 0xcd, 0x02, 1]), // five states announced, one started
      wrap([1, 0xcd, 0x02, 1, 100, ...utf8('{}')]), // a state longer than the message
      wrap([1, 0xcd, 0x02, 1, 2, 0xc3, 0x28]), // a state that is not UTF-8
      wrap([1, 0xcd, 0x02, 1, 8, ...utf8('{"user":')]), // not JSON
      wrap([1, 0xcd, 0x02, 1, 5, ...utf8('[1,2]')]), // JSON, not an object
      wrap([1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 1, 2, ...utf8('{}')]), // a client id beyond 32 bits
      wrap([0, 0, 0]), // trailing bytes after an empty update
      Buffer.from([2, 0]), // an auth message: not ours to receive
      Buffer.from([3]), // a query for awareness: not ours to receive
      Buffer.from([99, 1, 2]), // an unknown message type
      Buffer.alloc(0),
      'a text frame'
    ];
    for (const f of frames) sender.send(f);
    // After all that, the same connection's real presence still gets through.
    const state = { user: { color: '#7c3aed' }, cursor: null };
    sender.send(awarenessFrame([{ clientId: 333, clock: 1, state }]));
    await until(
      () => b.provider.awareness.getStates().has(333),
      'the sender’s valid presence after its garbage'
    );
    expect(stateOf(b.provider.awareness, 333)!.user).toMatchObject({ id: viewer.id });
    expect(room.stats.malformed - before).toBeGreaterThanOrEqual(10);

    orderedCells(a.doc)[0]!.source.insert(0, 'unbroken');
    await until(() => orderedCells(b.doc)[0]!.source.toString() === 'unbroken', 'an edit to reach b');
    await until(
      () => stateOf(a.provider.awareness, b.doc.clientID)?.user?.id === editor.id,
      'b’s presence at a'
    );
    expect(sender.readyState).toBe(sender.OPEN);
    sender.close();
  });
});
