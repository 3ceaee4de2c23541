import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { orderedCells, insertCell, moveCell, getTitle } from '../../cells/document';
import { loadDoc } from '../../server/collab/doc-store';
import { roomsFor } from '../../server/collab/rooms';
import { MAX_CONNECTIONS_PER_USER } from '../../server/collab/upgrade';
import { createNotebook, renameNotebook } from '../../server/notebooks/notebooks';
import { changeRole, removeMember } from '../../server/workspaces/workspaces';
import { connect, rawSocket, synced, until, upgradeStatus } from './helpers/collab';
import { join, person } from './helpers/people';
import { collabSuite } from './helpers/collab-suite';

const suite = collabSuite();

/** lib0's variable-length unsigned integer, as y-protocols frames byte arrays. */
function encodeLength(n: number): number[] {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push(0x80 | (n & 0x7f));
    n >>>= 7;
  }
  out.push(n);
  return out;
}

const sourceOf = (doc: Y.Doc, i = 0) => orderedCells(doc)[i]!.source.toString();
const sourceById = (doc: Y.Doc, id: string) =>
  orderedCells(doc)
    .find((c) => c.id === id)
    ?.source.toString();

async function team() {
  const owner = await person(suite.db, 'Owner');
  const editor = await person(suite.db, 'Editor');
  const viewer = await person(suite.db, 'Viewer');
  await join(suite.db, owner, editor, 'editor');
  await join(suite.db, owner, viewer, 'viewer');
  const nb = await createNotebook(suite.db, owner.id, owner.workspaceId, { title: 'Shared' });
  return { owner, editor, viewer, nb };
}

describe('collaboration server', () => {
  it('two editors converge on concurrent edits to the same cell, and the database has the result', async () => {
    const { owner, editor, nb } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    const b = connect(suite.port, nb.id, editor.token);
    await Promise.all([synced(a), synced(b)]);
    expect(getTitle(a.doc)).toBe('Shared');

    const ta = orderedCells(a.doc)[0]!.source;
    const tb = orderedCells(b.doc)[0]!.source;
    for (let i = 0; i < 20; i++) {
      ta.insert(0, 'a');
      tb.insert(tb.length, 'b');
    }
    insertCell(a.doc, { kind: 'text', source: 'from A' }, 1);
    moveCell(b.doc, orderedCells(b.doc)[0]!.id, 0);
    await until(() => sourceOf(a.doc) === sourceOf(b.doc) && orderedCells(b.doc).length === 2, 'convergence');
    // Concurrent inserts at one position are ordered by Yjs client id, so either order is correct.
    expect(['a'.repeat(20) + 'b'.repeat(20), 'b'.repeat(20) + 'a'.repeat(20)]).toContain(sourceOf(a.doc));
    expect(orderedCells(b.doc).map((c) => c.source.toString())).toEqual([sourceOf(a.doc), 'from A']);

    const room = (await roomsFor(suite.db).peek(nb.id))!;
    await room.settled();
    a.destroy();
    b.destroy();
    const stored = await loadDoc(suite.db, nb.id);
    expect(sourceOf(stored)).toBe(sourceOf(a.doc));
  });

  it("drops a viewer's updates: they reach neither other people nor the database, but the viewer sees edits", async () => {
    const { owner, viewer, nb } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    const v = connect(suite.port, nb.id, viewer.token);
    await Promise.all([synced(a), synced(v)]);

    const cellId = orderedCells(a.doc)[0]!.id;
    orderedCells(v.doc)[0]!.source.insert(0, 'VIEWER WAS HERE ');
    insertCell(v.doc, { kind: 'text', source: 'viewer cell' }, 0);
    orderedCells(a.doc)[0]!.source.insert(0, 'owner edit');
    await until(() => !!sourceById(v.doc, cellId)?.includes('owner edit'), 'the viewer to receive the edit');
    await (await roomsFor(suite.db).peek(nb.id))!.settled();

    expect(sourceOf(a.doc)).toBe('owner edit');
    expect(orderedCells(a.doc)).toHaveLength(1);
    const stored = await loadDoc(suite.db, nb.id);
    expect(sourceOf(stored)).toBe('owner edit');
    expect(JSON.stringify(stored.getMap('cells').toJSON())).not.toContain('viewer cell');
    expect((await roomsFor(suite.db).peek(nb.id))!.stats.droppedFromViewers).toBeGreaterThan(0);
    a.destroy();
    v.destroy();
  });

  it("applies a demotion at once (not at the next periodic check): the demoted editor's edits are dropped", async () => {
    const { owner, editor, nb } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    const e = connect(suite.port, nb.id, editor.token);
    await Promise.all([synced(a), synced(e)]);
    orderedCells(e.doc)[0]!.source.insert(0, 'while an editor. ');
    await until(() => sourceOf(a.doc).includes('while an editor.'), 'the editor’s edit to arrive');
    await changeRole(suite.db, owner.id, owner.workspaceId, { userId: editor.id, role: 'viewer' });
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    const before = room.stats.droppedFromViewers;
    // The periodic check is every 30 s; within 5 s the server must already treat them as a viewer.
    await until(
      () => {
        orderedCells(e.doc)[0]!.source.insert(0, 'x');
        return room.stats.droppedFromViewers > before;
      },
      'the demoted editor’s edits to be dropped',
      5_000
    );
    // From now on nothing they type is stored or reaches others.
    orderedCells(e.doc)[0]!.source.insert(0, 'AFTER DEMOTION ');
    orderedCells(a.doc)[0]!.source.insert(0, 'owner ');
    await until(() => sourceOf(e.doc).includes('owner '), 'the owner’s edit to reach the demoted editor');
    await room.settled();
    expect(sourceOf(a.doc)).not.toContain('AFTER DEMOTION');
    expect(sourceOf(await loadDoc(suite.db, nb.id))).not.toContain('AFTER DEMOTION');
  });

  it('disconnects a removed member at once', async () => {
    const { owner, editor, nb } = await team();
    const e = connect(suite.port, nb.id, editor.token);
    await synced(e);
    const codes: number[] = [];
    e.provider.on('connection-close', (event) => void (event && codes.push(event.code)));
    await removeMember(suite.db, owner.id, owner.workspaceId, editor.id);
    await until(() => codes.includes(4403), 'the removed member’s connection to close', 5_000);
  });

  it("nobody can replace or remove someone else's presence by sending their client id", async () => {
    const { owner, editor, nb } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    await synced(a);
    // A cursor as y-codemirror sets it (the server refuses any other shape).
    const at = JSON.parse(
      JSON.stringify(Y.createRelativePositionFromTypeIndex(orderedCells(a.doc)[0]!.source, 0))
    );
    const cursor = { anchor: at, head: at };
    a.provider.awareness.setLocalStateField('cursor', cursor);
    const victim = a.doc.clientID;
    const evil = await rawSocket(suite.port, nb.id, editor.token);
    const frame = (state: unknown, clock: number) => {
      const update = encoding.createEncoder();
      encoding.writeVarUint(update, 1);
      encoding.writeVarUint(update, victim);
      encoding.writeVarUint(update, clock);
      encoding.writeVarString(update, JSON.stringify(state));
      const msg = encoding.createEncoder();
      encoding.writeVarUint(msg, 1); // awareness
      encoding.writeVarUint8Array(msg, encoding.toUint8Array(update));
      return encoding.toUint8Array(msg);
    };
    evil.send(frame({ cursor: { at: 999 }, spoofed: true }, 1_000));
    evil.send(frame(null, 2_000)); // "that client left"
    // A sync request after them: its answer means the server has handled both frames.
    const answered = new Promise((r) => evil.once('message', r));
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, 0); // sync
    encoding.writeVarUint(step1, 0); // step 1
    encoding.writeVarUint8Array(step1, Y.encodeStateVector(new Y.Doc()));
    evil.send(encoding.toUint8Array(step1));
    await answered;
    // Someone joining now sees the owner's own presence, untouched.
    const o = connect(suite.port, nb.id, owner.token);
    await synced(o);
    await until(
      () => o.provider.awareness.getStates().has(victim),
      'the owner’s presence to reach a newcomer'
    );
    const seen = o.provider.awareness.getStates().get(victim) as Record<string, unknown>;
    expect(seen.spoofed).toBeUndefined();
    expect(seen.cursor).toEqual(cursor);
    expect((seen.user as { id: string }).id).toBe(owner.id);
    evil.close();
  });

  it('a title typed with a NUL byte is listed without it, and later edits are still saved', async () => {
    const { owner, nb } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    await synced(a);
    a.doc.getMap('meta').set('title', 'Bad\u0000title');
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    await until(() => getTitle(room.doc) === 'Bad\u0000title', 'the title to arrive');
    await room.settled();
    orderedCells(a.doc)[0]!.source.insert(0, 'after the title');
    await until(() => sourceOf(room.doc) === 'after the title', 'the next edit to arrive');
    await room.settled();
    expect(sourceOf(await loadDoc(suite.db, nb.id))).toBe('after the title');
    const rows = await suite.db.query<{ title: string }>('select title from notebooks where id = $1', [
      nb.id
    ]);
    expect(rows[0]!.title).toBe('Bad title');
    expect(a.provider.wsconnected).toBe(true);
    a.destroy();
  });

  it('caps the connections one person may hold open, and frees a place when one closes', async () => {
    const { owner, nb } = await team();
    const sockets = [];
    for (let i = 0; i < MAX_CONNECTIONS_PER_USER; i++)
      sockets.push(await rawSocket(suite.port, nb.id, owner.token));
    const cookie = { cookie: `sheaf_session=${owner.token}` };
    expect(await upgradeStatus(suite.port, `/collab/${nb.id}`, cookie)).toBe(429);
    const closing = sockets.pop()!;
    await new Promise<void>((resolve) => {
      closing.once('close', () => resolve());
      closing.close();
    });
    let status = 0;
    for (let i = 0; i < 50 && status !== 101; i++) {
      status = await upgradeStatus(suite.port, `/collab/${nb.id}`, cookie);
      if (status !== 101) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(101);
    for (const ws of sockets) ws.close();
  });

  it('refuses upgrades from strangers, logged-out clients, other sites and unknown paths', async () => {
    const { owner, nb } = await team();
    const stranger = await person(suite.db, 'Stranger');
    const cookie = (token: string) => ({ cookie: `sheaf_session=${token}` });
    expect(await upgradeStatus(suite.port, `/collab/${nb.id}`, cookie(owner.token))).toBe(101);
    expect(await upgradeStatus(suite.port, `/collab/${nb.id}`, cookie(stranger.token))).toBe(403);
    expect(await upgradeStatus(suite.port, `/collab/${nb.id}`)).toBe(401);
    expect(await upgradeStatus(suite.port, `/collab/${nb.id}`, cookie('a'.repeat(32)))).toBe(401);
    expect(
      await upgradeStatus(suite.port, `/collab/${nb.id}`, {
        ...cookie(owner.token),
        origin: 'https://evil.example'
      })
    ).toBe(403);
    expect(await upgradeStatus(suite.port, `/collab/not-an-id`, cookie(owner.token))).toBe(404);
    expect(await upgradeStatus(suite.port, `/collab/${'a'.repeat(16)}`, cookie(owner.token))).toBe(403);
  });

  it('survives 10,000 malformed frames from one client while others keep editing', async () => {
    const { owner, editor, nb } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    const b = connect(suite.port, nb.id, editor.token);
    await Promise.all([synced(a), synced(b)]);
    const attacker = await rawSocket(suite.port, nb.id, editor.token);

    const frames: (Buffer | string)[] = [];
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 10_000; i++) {
      const kind = i % 5;
      const len = 1 + Math.floor(rand() * 64);
      const body = Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256)));
      if (kind === 0)
        frames.push(body); // random bytes
      else if (kind === 1)
        frames.push(Buffer.concat([Buffer.from([0, 2, len]), body])); // sync update, garbage body
      else if (kind === 2)
        frames.push(Buffer.concat([Buffer.from([1, len]), body])); // awareness, garbage body
      else if (kind === 3)
        frames.push(Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff, 0x7f])); // huge length prefix
      else frames.push('not binary at all');
    }
    let typed = 0;
    const typing = setInterval(() => {
      orderedCells(a.doc)[0]!.source.insert(0, 'x');
      typed++;
    }, 5);
    for (const f of frames) attacker.send(f);
    await new Promise<void>((resolve) => attacker.send(Buffer.from([0]), () => resolve()));
    clearInterval(typing);
    await until(() => sourceOf(b.doc) === 'x'.repeat(typed), 'the other client to see every edit');

    const room = (await roomsFor(suite.db).peek(nb.id))!;
    await until(() => room.stats.malformed >= 10_000, 'the server to drop every malformed frame');
    // A fresh client can still join and sees the document intact.
    const c = connect(suite.port, nb.id, owner.token);
    await synced(c);
    expect(sourceOf(c.doc)).toBe('x'.repeat(typed));
    expect(orderedCells(c.doc)).toHaveLength(1);
    attacker.close();
    for (const x of [a, b, c]) x.destroy();
  });

  it('refuses an update that decodes but cannot be applied; the notebook still loads with every real edit', async () => {
    const { owner, editor, nb } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    await synced(a);
    const attacker = await rawSocket(suite.port, nb.id, editor.token);

    // Search (deterministically) for a one-byte change to a real update that Yjs decodes but cannot apply.
    const donor = new Y.Doc();
    donor.getText('t').insert(0, 'hello world');
    donor.getMap('m').set('k', 'v');
    const good = Y.encodeStateAsUpdate(donor);
    let broken: Uint8Array | null = null;
    search: for (let pos = 0; pos < good.length; pos++) {
      for (let value = 0; value < 256; value++) {
        const u = good.slice();
        u[pos] = value;
        try {
          Y.decodeUpdate(u);
        } catch {
          continue;
        }
        try {
          Y.applyUpdate(new Y.Doc(), u);
        } catch {
          broken = u;
          break search;
        }
      }
    }
    expect(broken).not.toBeNull();
    const frame = (u: Uint8Array) =>
      Buffer.concat([Buffer.from([0, 2]), Buffer.from(encodeLength(u.length)), u]);
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    const before = room.stats.malformed;
    const logSize = async () =>
      (await suite.db.query('select 1 from doc_updates where notebook_id = $1', [nb.id])).length;
    const storedBefore = await logSize();
    attacker.send(frame(broken!));
    await until(() => room.stats.malformed > before, 'the server to refuse the update');
    await room.settled();
    expect(await logSize()).toBe(storedBefore);

    orderedCells(a.doc)[0]!.source.insert(0, 'still fine');
    await until(() => room.stats.stored > 0 && sourceOf(room.doc) === 'still fine', 'the edit to be stored');
    await room.settled();
    expect(sourceOf(await loadDoc(suite.db, nb.id))).toBe('still fine');
    attacker.close();
    a.destroy();
  });

  it('a rename from the notebook list reaches people who have the notebook open', async () => {
    const { owner, editor, nb } = await team();
    const b = connect(suite.port, nb.id, editor.token);
    await synced(b);
    await renameNotebook(suite.db, owner.id, nb.id, { title: 'Renamed from the list' });
    await until(() => getTitle(b.doc) === 'Renamed from the list', 'the new title');
    // …and a title typed in the notebook shows in the list.
    b.doc.getMap('meta').set('title', 'Typed in the notebook');
    let title = '';
    const start = Date.now();
    while (title !== 'Typed in the notebook' && Date.now() - start < 10_000) {
      const rows = await suite.db.query<{ title: string }>('select title from notebooks where id = $1', [
        nb.id
      ]);
      title = rows[0]!.title;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(title).toBe('Typed in the notebook');
    b.destroy();
  });

  it('unloads the room when the last person leaves, compacting the log into a snapshot', async () => {
    const { owner, nb } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    await synced(a);
    for (let i = 0; i < 50; i++) orderedCells(a.doc)[0]!.source.insert(0, 'z');
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    await until(() => room.stats.stored >= 50, 'the edits to be stored');
    a.destroy();
    await until(() => room.isDestroyed, 'the room to unload');
    expect(await roomsFor(suite.db).peek(nb.id)).toBeUndefined();
    const log = await suite.db.query('select 1 from doc_updates where notebook_id = $1', [nb.id]);
    expect(log).toHaveLength(0);
    const snap = await suite.db.query('select 1 from doc_snapshots where notebook_id = $1', [nb.id]);
    expect(snap).toHaveLength(1);
    expect(sourceOf(await loadDoc(suite.db, nb.id))).toBe('z'.repeat(50));
  });
});
