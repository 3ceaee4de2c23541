// One loaded notebook document and the people connected to it.
// Every update is stored before it is applied and broadcast (group commit: updates arriving while a write is in
// flight go into the next write), so whatever any client has received survives a crash of this process.
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { getTitle } from '../../cells/document';
import type { Db } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import type { Role } from '../workspaces/roles';
import { insertVersion, sinceLatest, type VersionKind, type VersionMeta } from '../versions/store';
import { watchCellChanges } from '../authors/changed-cells';
import { CellEditRecorder } from '../authors/recorder';
import { appendUpdates, compactDoc, loadDoc } from './doc-store';
import {
  decodeMessage,
  encodeAwareness,
  encodeCommentsChanged,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  MalformedMessage
} from './messages';
import { PresenceGate, type PresenceStats } from './presence-gate';
import type { Relay, RoomLink, RoomListener } from './relay';

/** The origin of what arrives from other servers through the relay: stored there already, so never stored or
 * relayed again here, and not an edit by anyone on this server (its author is recorded where it was made). */
export const RELAY = Symbol('relay');

function isEmptyUpdate(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length === 0 && ds.clients.size === 0;
}

function editorOf(origin: unknown): UserId | null {
  if (origin && typeof origin === 'object') {
    if ('user' in origin) return (origin as Peer).user.id;
    if ('server' in origin) return (origin as ServerEditOrigin).by;
  }
  return null;
}

function cloneDoc(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc({ gc: doc.gc });
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/** When automatic versions are taken: after `quietMs` without edits following some, and during long editing
 * at least every `everyMs` (counted from the first edit since the last version). */
export type VersionTiming = { quietMs: number; everyMs: number };
export const VERSION_TIMING: VersionTiming = { quietMs: 2 * 60_000, everyMs: 10 * 60_000 };

/** The origin of an edit the server makes for someone (a restore): their edit, for "who edited". */
export type ServerEditOrigin = { server: true; by: UserId | null; tag?: string };

export interface Peer {
  user: { id: UserId; name: string };
  role: Role;
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** Compaction folds the log into the snapshot. It rebuilds the whole document, so it waits for a quiet moment
 * (or a long log) rather than running in the middle of typing; it also runs when the room unloads.
 * (bench:collab on PGlite: p99 56 ms compacting every 500 updates, 39 ms with no compaction during typing.) */
const COMPACT_EVERY = 5_000;
const COMPACT_WHEN_QUIET_MS = 10_000;
/** notebooks.updated_at is touched at most this often while people type. */
const TOUCH_EVERY_MS = 5_000;

export type RoomStats = { stored: number; droppedFromViewers: number } & PresenceStats;

/** The list's copy of the title is PostgreSQL text, which refuses NUL: a typed NUL would fail every save after
 * it (and drop everyone's connection each time), so control characters become spaces there. */
// eslint-disable-next-line no-control-regex -- control characters are what is replaced
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;

export class Room {
  readonly awareness: awarenessProtocol.Awareness;
  readonly stats: RoomStats = {
    stored: 0,
    droppedFromViewers: 0,
    malformed: 0,
    presenceRefused: 0,
    presenceCoalesced: 0
  };
  private readonly peers = new Set<Peer>();
  private readonly presence: PresenceGate;
  private pending: { update: Uint8Array; origin: unknown }[] = [];
  /** The document plus every pending update: an update is tried here before it is stored, so an update that
   * decodes but cannot be applied is refused instead of stored (it would make the notebook unloadable). */
  private staging: Y.Doc;
  /** The batch being written: no longer pending, not yet in the document. */
  private inflight: { update: Uint8Array; origin: unknown }[] = [];
  private flushing: Promise<void> | null = null;
  private sinceCompact = 0;
  private title: string;
  private lastTouch = 0;
  private quietTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  /** Versions: who edited since the last one, since when, and the checkpoints in progress (one at a time). */
  private readonly editors = new Set<UserId>();
  private dirty: boolean;
  private dirtySince: number | null = null;
  private versionTimer: ReturnType<typeof setTimeout> | null = null;
  private versioning: Promise<unknown> = Promise.resolve();
  /** Set by Rooms while it compacts an empty room before unloading it. */
  unloading = false;
  /** Who changed which cell: noted as each edit is applied, written to cell_edits in batches off this path. */
  readonly cellEdits: CellEditRecorder;

  private constructor(
    private readonly db: Db,
    readonly notebookId: NotebookId,
    readonly doc: Y.Doc,
    changed: boolean,
    private readonly timing: VersionTiming,
    private readonly link: RoomLink | null
  ) {
    // Edits stored before a crash, or before versions existed, are not in any version yet.
    this.dirty = changed;
    this.title = getTitle(doc);
    this.staging = cloneDoc(doc);
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.awareness.setLocalState(null);
    this.presence = new PresenceGate(this.awareness, this.stats);
    this.cellEdits = new CellEditRecorder(db, notebookId);
    // Only this.doc is watched: an edit counts once it is stored and applied, under its sender's origin (a
    // restore's is whoever asked for it).
    watchCellChanges(doc, editorOf, (by, cellIds) => this.cellEdits.note(by, cellIds));
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      const msg = encodeUpdate(update);
      for (const peer of this.peers) if (peer !== origin) peer.send(msg);
    });
    this.awareness.on(
      'update',
      (
        { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
        origin: unknown
      ) => {
        const changed = [...added, ...updated, ...removed];
        const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed);
        const msg = encodeAwareness(update);
        for (const peer of this.peers) peer.send(msg);
        // Only what this server's gate accepted (or removed as its people left) is relayed: other servers' states
        // came from there, and states timing out here time out on every server by themselves.
        if (this.link && origin !== RELAY && origin !== 'timeout') this.link.publishAwareness(update);
      }
    );
  }

  /** Loads the notebook from the store. With a relay, the room subscribes to the notebook's channel first and keeps
   * what arrives while it reads the store, then applies it: an update stored elsewhere after the read began was
   * published after that (servers publish only once stored), so it is in the buffer; one stored before is in what
   * was read. Applying one twice is harmless (Yjs updates are idempotent). */
  static async load(
    db: Db,
    notebookId: NotebookId,
    timing: VersionTiming = VERSION_TIMING,
    relay: Relay | null = null
  ): Promise<Room> {
    let room: Room | null = null;
    const early: { kind: 'update' | 'awareness'; payload: Uint8Array }[] = [];
    const listener: RoomListener = {
      update: (u) => (room ? room.remoteUpdate(u) : early.push({ kind: 'update', payload: u })),
      awareness: (u) => (room ? room.remoteAwareness(u) : early.push({ kind: 'awareness', payload: u })),
      // Before the room exists its read of the store is still to come (or under way, and the buffer covers it).
      resync: () => void room?.resync(),
      who: () => room?.announcePresence(),
      // Before the room exists nobody here has joined it: nobody to tell.
      comments: () => room?.commentsChanged()
    };
    const link = relay ? await relay.open(notebookId, listener) : null;
    let doc: Y.Doc;
    let since: Awaited<ReturnType<typeof sinceLatest>>;
    try {
      doc = await loadDoc(db, notebookId);
      since = await sinceLatest(db, notebookId, doc);
    } catch (e) {
      link?.close();
      throw e;
    }
    room = new Room(db, notebookId, doc, since !== 'same', timing, link);
    for (const e of early.splice(0)) {
      if (e.kind === 'update') room.remoteUpdate(e.payload);
      else room.remoteAwareness(e.payload);
    }
    // People already in this notebook on other servers: ask for their presence now rather than at their next renewal.
    link?.askWho();
    // A notebook's first version is the document as it was before anyone edited it here: the first session's
    // version then says what that session changed.
    if (since === 'none') await room.checkpoint('auto');
    return room;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  get size(): number {
    return this.peers.size;
  }

  get peerList(): Peer[] {
    return [...this.peers];
  }

  join(peer: Peer): void {
    this.peers.add(peer);
    this.presence.join(peer);
    peer.send(encodeSyncStep1(this.doc));
    const states = [...this.awareness.getStates().keys()];
    if (states.length > 0) {
      peer.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states)));
    }
  }

  leave(peer: Peer): void {
    this.peers.delete(peer);
    this.presence.leave(peer);
  }

  /** Handles one binary frame from a peer. Malformed frames are dropped and counted; they never throw. */
  receive(peer: Peer, data: Uint8Array): void {
    if (this.destroyed || !this.peers.has(peer)) return;
    let msg;
    try {
      msg = decodeMessage(data);
    } catch (e) {
      if (e instanceof MalformedMessage) {
        this.stats.malformed++;
        return;
      }
      throw e;
    }
    switch (msg.type) {
      case 'sync-step1':
        peer.send(encodeSyncStep2(this.doc, msg.stateVector));
        return;
      case 'update':
        if (peer.role === 'viewer') {
          this.stats.droppedFromViewers++;
          return;
        }
        {
          const fresh = this.admit(msg.update);
          if (fresh) void this.enqueue(fresh, peer);
        }
        return;
      case 'awareness':
        // Viewers too: they are people looking at the notebook, checked like everyone else.
        this.presence.receive(peer, msg.update);
        return;
    }
  }

  /** An update another server stored: applied and sent to this server's people, not stored again. */
  remoteUpdate(update: Uint8Array): void {
    if (this.destroyed) return;
    try {
      Y.applyUpdate(this.doc, update, RELAY);
      Y.applyUpdate(this.staging, update, RELAY);
    } catch (e) {
      console.error(`collab: an update relayed for notebook ${this.notebookId} does not apply:`, e);
      this.rebuildStaging();
    }
  }

  /** Presence another server accepted (it checked and stamped it). The client ids are remembered as their people's
   * here too, so nobody on this server can take them over. */
  remoteAwareness(update: Uint8Array): void {
    if (this.destroyed) return;
    try {
      this.presence.noteRemote(update);
      awarenessProtocol.applyAwarenessUpdate(this.awareness, update, RELAY);
    } catch {
      this.stats.malformed++;
    }
  }

  /** Sends this server's people's presence to the other servers (one of them just opened this notebook). */
  announcePresence(): void {
    if (this.destroyed || !this.link) return;
    const ids = this.presence.ownIds().filter((id) => this.awareness.getStates().has(id));
    if (ids.length > 0)
      this.link.publishAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids));
  }

  /** Reads the store and applies whatever this room lacks (relayed messages may have been lost). */
  async resync(): Promise<void> {
    if (this.destroyed) return;
    try {
      const stored = await loadDoc(this.db, this.notebookId);
      if (this.destroyed) return stored.destroy();
      const missing = Y.encodeStateAsUpdate(stored, Y.encodeStateVector(this.doc));
      stored.destroy();
      if (!isEmptyUpdate(missing)) this.remoteUpdate(missing);
    } catch (e) {
      console.error(`collab: re-reading notebook ${this.notebookId} failed:`, e);
    }
  }

  /** The part of `update` new to the server, once it applies cleanly; null if there is none or it is broken. */
  private admit(update: Uint8Array): Uint8Array | null {
    try {
      // A reconnecting client sends its whole state; only what is new to the server is worth storing.
      const fresh = Y.diffUpdate(update, Y.encodeStateVector(this.staging));
      if (isEmptyUpdate(fresh)) return null;
      Y.applyUpdate(this.staging, fresh);
      return fresh;
    } catch {
      this.stats.malformed++;
      this.rebuildStaging(); // a failed apply may have left part of the update behind
      return null;
    }
  }

  private rebuildStaging(): void {
    this.staging.destroy();
    this.staging = cloneDoc(this.doc);
    for (const p of [...this.inflight, ...this.pending]) Y.applyUpdate(this.staging, p.update);
  }

  /** Tells everyone connected here that the notebook's comments changed; each fetches them with their own access.
   * Comments are not in the document (viewers may comment, and their document updates are dropped). Other servers
   * hear of it through the relay (comments.ts). */
  commentsChanged(): void {
    if (this.destroyed) return;
    const msg = encodeCommentsChanged();
    for (const peer of this.peers) peer.send(msg);
  }

  /** Applies an edit made by the server itself (rename, seed), stored and broadcast like any other. */
  async serverEdit(
    edit: (doc: Y.Doc) => void,
    origin: ServerEditOrigin | 'server' = 'server'
  ): Promise<void> {
    const scratch = cloneDoc(this.staging);
    const before = Y.encodeStateVector(scratch);
    edit(scratch);
    const update = Y.encodeStateAsUpdate(scratch, before);
    scratch.destroy();
    if (isEmptyUpdate(update)) return;
    Y.applyUpdate(this.staging, update);
    await this.enqueue(update, origin);
  }

  /** Stores the document as it is once everything received so far is stored, as a version. Unless `force`d
   * (named versions, the one before a restore), nothing is stored when nothing changed since the last version. */
  checkpoint(
    kind: VersionKind,
    opts: { label?: string | null; by?: UserId | null; force?: boolean } = {}
  ): Promise<VersionMeta | null> {
    const run = async () => {
      await this.settled();
      if (this.destroyed || (!opts.force && !this.dirty)) return null;
      const editors = [...this.editors];
      this.editors.clear();
      this.dirty = false;
      this.dirtySince = null;
      if (this.versionTimer) clearTimeout(this.versionTimer);
      try {
        return await insertVersion(this.db, this.notebookId, this.doc, {
          kind,
          label: opts.label ?? null,
          createdBy: opts.by ?? null,
          editors
        });
      } catch (e) {
        for (const id of editors) this.editors.add(id);
        this.dirty = true;
        throw e;
      }
    };
    const p = this.versioning.then(run, run);
    this.versioning = p.catch(() => null);
    return p;
  }

  /** Whether edits were stored since the last version. */
  get hasUnversionedEdits(): boolean {
    return this.dirty;
  }

  /** Stored edits by `by` (null: the server's own): a version follows once editing pauses, or after a while. */
  private edited(by: UserId | null): void {
    if (by) this.editors.add(by);
    this.dirty = true;
    const now = Date.now();
    this.dirtySince ??= now;
    if (this.versionTimer) clearTimeout(this.versionTimer);
    const auto = () =>
      void this.checkpoint('auto').catch((e) =>
        console.error(`collab: automatic version of notebook ${this.notebookId} failed:`, e)
      );
    if (now - this.dirtySince >= this.timing.everyMs) return auto();
    this.versionTimer = setTimeout(
      () => {
        if (!this.destroyed) auto();
      },
      Math.min(this.timing.quietMs, this.dirtySince + this.timing.everyMs - now)
    );
    this.versionTimer.unref?.();
  }

  /** Whether updates are queued or being stored. */
  get busy(): boolean {
    return this.flushing !== null || this.pending.length > 0;
  }

  /** Resolves once everything received so far is stored (or has failed to be). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private enqueue(update: Uint8Array, origin: unknown): Promise<void> {
    this.pending.push({ update, origin });
    this.flushing ??= this.flush();
    return this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, 256);
        this.inflight = batch;
        await appendUpdates(
          this.db,
          this.notebookId,
          batch.map((b) => b.update)
        );
        this.stats.stored += batch.length;
        this.sinceCompact += batch.length;
        for (const b of batch) Y.applyUpdate(this.doc, b.update, b.origin);
        this.inflight = [];
        // Stored, so it may now reach other servers' people too (one message per batch).
        this.link?.publishUpdate(
          batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((b) => b.update))
        );
        for (const b of batch) this.edited(editorOf(b.origin));
        await this.afterStore();
      }
    } catch (e) {
      // The failed batch and everything queued after it were neither applied nor broadcast. Dropping the
      // connections makes every client reconnect and send again whatever the server does not have.
      console.error(`collab: could not store updates for notebook ${this.notebookId}:`, e);
      this.pending = [];
      this.inflight = [];
      this.rebuildStaging();
      for (const peer of this.peers) peer.close(1011, 'The server could not save changes; reconnecting.');
    } finally {
      this.flushing = null;
    }
    if (this.sinceCompact >= COMPACT_EVERY) void this.compact();
    else if (this.sinceCompact > 0) {
      if (this.quietTimer) clearTimeout(this.quietTimer);
      this.quietTimer = setTimeout(() => {
        if (!this.flushing && this.sinceCompact > 0 && !this.destroyed) void this.compact();
      }, COMPACT_WHEN_QUIET_MS);
      this.quietTimer.unref?.();
    }
  }

  private async afterStore(): Promise<void> {
    const title = getTitle(this.doc).replace(CONTROL_CHARS, ' ').trim().slice(0, 200);
    const now = Date.now();
    if (title !== this.title && title) {
      this.title = title;
      this.lastTouch = now;
      await this.db.query('update notebooks set title = $2, updated_at = now() where id = $1', [
        this.notebookId,
        title
      ]);
    } else if (now - this.lastTouch > TOUCH_EVERY_MS) {
      this.lastTouch = now;
      await this.db.query('update notebooks set updated_at = now() where id = $1', [this.notebookId]);
    }
  }

  async compact(): Promise<void> {
    this.sinceCompact = 0;
    try {
      await compactDoc(this.db, this.notebookId);
    } catch (e) {
      console.error(`collab: compaction of notebook ${this.notebookId} failed (the log is intact):`, e);
    }
  }

  destroy(): void {
    this.destroyed = true;
    this.link?.close();
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.versionTimer) clearTimeout(this.versionTimer);
    this.presence.destroy();
    void this.cellEdits.close();
    this.awareness.destroy();
    this.staging.destroy();
    this.doc.destroy();
  }
}
