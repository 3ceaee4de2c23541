// One loaded notebook document and the people connected to it.
// Every update is stored before it is applied and broadcast (group commit: updates arriving while a write is in
// flight go into the next write), so whatever any client has received survives a crash of this process. What is
// applied in one turn of the event loop goes to each peer as one message (broadcast.ts).
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import type { Db } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import type { Role } from '../workspaces/roles';
import { sinceLatest, type VersionKind, type VersionMeta } from '../versions/store';
import { RoomVersions, VERSION_TIMING, type VersionTiming } from './room-versions';
export { VERSION_TIMING, type VersionTiming } from './room-versions';
import { watchCellChanges } from '../authors/changed-cells';
import { CellEditRecorder } from '../authors/recorder';
import { loadCovered, loadDoc, type Coverage } from './doc-store';
import { StoreQueue, type StoredBatch } from './store-queue';
import { Broadcast } from './broadcast';
import { RoomCompaction, type CompactionStats } from './room-compaction';
import { RoomListing } from './room-listing';
import { roomProbe } from './room-probe';
import { isEmptyUpdate, Staging } from './staging';
export { roomProbe } from './room-probe';
import {
  decodeMessage,
  encodeAwareness,
  encodeCommentsChanged,
  encodeRelayStatus,
  encodeSyncStep1,
  encodeSyncStep2,
  MalformedMessage
} from './messages';
import { PresenceGate, type PresenceStats } from './presence-gate';
import type { Relay, RoomLink, RoomListener } from './relay';

/** The origin of what arrives from other servers through the relay: stored there already, so never stored or
 * relayed again here, and not an edit by anyone on this server (its author is recorded where it was made). */
export const RELAY = Symbol('relay');

function editorOf(origin: unknown): UserId | null {
  if (origin && typeof origin === 'object') {
    if ('user' in origin) return (origin as Peer).user.id;
    if ('server' in origin) return (origin as ServerEditOrigin).by;
  }
  return null;
}

/** The origin of an edit the server makes for someone (a restore): their edit, for "who edited". */
export type ServerEditOrigin = { server: true; by: UserId | null; tag?: string };

export interface Peer {
  user: { id: UserId; name: string };
  role: Role;
  send(data: Uint8Array): void;
  close(code: number, reason: string): void;
}

export type RoomStats = {
  stored: number;
  droppedFromViewers: number;
} & PresenceStats &
  CompactionStats;

export class Room {
  readonly awareness: awarenessProtocol.Awareness;
  readonly stats: RoomStats = {
    stored: 0,
    droppedFromViewers: 0,
    compactedQuick: 0,
    compactedFull: 0,
    malformed: 0,
    presenceRefused: 0,
    presenceCoalesced: 0
  };
  private readonly peers = new Set<Peer>();
  /** What is applied goes to the peers at the end of the turn, merged (broadcast.ts). */
  private readonly broadcast = new Broadcast(() => this.peers);
  private readonly presence: PresenceGate;
  private readonly queue: StoreQueue;
  /** The document plus every pending update: an update is tried here before it is stored, so an update that
   * decodes but cannot be applied is refused instead of stored (it would make the notebook unloadable). */
  private readonly staging: Staging;
  private readonly compaction: RoomCompaction;
  private readonly listing: RoomListing;
  private destroyed = false;
  private readonly versions: RoomVersions;
  /** Set by Rooms while it compacts an empty room before unloading it. */
  unloading = false;
  /** Who changed which cell: noted as each edit is applied, written to cell_edits in batches off this path. */
  readonly cellEdits: CellEditRecorder;

  private constructor(
    private readonly db: Db,
    readonly notebookId: NotebookId,
    readonly doc: Y.Doc,
    changed: boolean,
    timing: VersionTiming,
    private readonly link: RoomLink | null,
    /** What of the store this.doc holds, so compaction can write it out instead of reading and rebuilding. */
    covered: Coverage
  ) {
    // Edits stored before a crash, or before versions existed, are not in any version yet.
    this.versions = new RoomVersions(db, notebookId, doc, changed, timing, {
      settled: () => this.settled(),
      gone: () => this.destroyed
    });
    this.listing = new RoomListing(db, notebookId, doc);
    this.compaction = new RoomCompaction(
      db,
      notebookId,
      {
        doc,
        applyStored: (state) => this.remoteUpdate(state),
        busy: () => this.busy,
        gone: () => this.destroyed
      },
      this.stats,
      covered
    );
    this.staging = new Staging(doc);
    this.queue = new StoreQueue(db, notebookId, {
      stored: (b) => this.stored(b),
      failed: (e) => {
        // The failed batch and everything queued after it were neither applied nor broadcast. Dropping the
        // connections makes every client reconnect and send again whatever the server does not have.
        console.error(`collab: could not store updates for notebook ${this.notebookId}:`, e);
        this.rebuildStaging();
        for (const peer of this.peers) peer.close(1011, 'The server could not save changes; reconnecting.');
      },
      drained: () => this.compaction.schedule()
    });
    this.awareness = new awarenessProtocol.Awareness(doc);
    this.awareness.setLocalState(null);
    this.presence = new PresenceGate(this.awareness, this.stats);
    this.cellEdits = new CellEditRecorder(db, notebookId);
    // Only this.doc is watched: an edit counts once it is stored and applied, under its sender's origin (a
    // restore's is whoever asked for it).
    watchCellChanges(doc, editorOf, (by, cellIds) => this.cellEdits.note(by, cellIds));
    doc.on('update', (update: Uint8Array, origin: unknown) => this.broadcast.add(update, origin));
    doc.on('afterTransaction', (tr: Y.Transaction) => roomProbe.moved?.('applied', tr));
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
    let loaded: Awaited<ReturnType<typeof loadCovered>>;
    let since: Awaited<ReturnType<typeof sinceLatest>>;
    try {
      loaded = await loadCovered(db, notebookId);
      since = await sinceLatest(db, notebookId, loaded.doc);
    } catch (e) {
      link?.close();
      throw e;
    }
    room = new Room(db, notebookId, loaded.doc, since !== 'same', timing, link, loaded.covered);
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
          if (fresh) void this.queue.enqueue(fresh, peer);
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
      this.staging.apply(update);
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
    const fresh = this.staging.admit(update);
    if (fresh !== 'broken') return fresh;
    this.stats.malformed++;
    this.rebuildStaging();
    return null;
  }

  private rebuildStaging(): void {
    this.staging.rebuild(this.doc, this.queue.queued);
  }

  /** Tells `only` that peer, or everyone connected, whether edits from other servers are held up. */
  relayStatus(down: boolean, only?: Peer): void {
    if (this.destroyed) return;
    const msg = encodeRelayStatus(down);
    for (const peer of only ? [only] : this.peers) peer.send(msg);
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
    const update = this.staging.draft(edit);
    if (update) await this.queue.enqueue(update, origin);
  }

  /** Stores the document as it is once everything received so far is stored, as a version. Unless `force`d
   * (named versions, the one before a restore), nothing is stored when nothing changed since the last version. */
  checkpoint(
    kind: VersionKind,
    opts: { label?: string | null; by?: UserId | null; force?: boolean } = {}
  ): Promise<VersionMeta | null> {
    return this.versions.checkpoint(kind, opts);
  }

  /** Whether edits were stored since the last version. */
  get hasUnversionedEdits(): boolean {
    return this.versions.hasUnversionedEdits;
  }

  /** Whether updates are queued or being stored. */
  get busy(): boolean {
    return this.queue.busy;
  }

  /** Resolves once everything received so far is stored (or has failed to be). */
  settled(): Promise<void> {
    return this.queue.settled();
  }

  /** A batch is stored: applied here (sending it to everyone here), then to other servers, then bookkeeping. */
  private async stored({ batch, seqs, began, stored }: StoredBatch): Promise<void> {
    this.stats.stored += batch.length;
    for (const b of batch) Y.applyUpdate(this.doc, b.update, b.origin);
    this.compaction.stored(seqs);
    // Stored, so it may now reach other servers' people too (one message per batch).
    this.link?.publishUpdate(
      batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((b) => b.update))
    );
    for (const b of batch) this.versions.edited(editorOf(b.origin));
    const applied = performance.now();
    await this.listing.stored(this.doc);
    roomProbe.flushed?.({
      queuedMs: batch.map((b) => began - b.at),
      storeMs: stored - began,
      applyMs: applied - stored,
      afterMs: performance.now() - applied
    });
  }

  /** Folds the log into the snapshot (see RoomCompaction). */
  compact(): Promise<void> {
    return this.compaction.compact();
  }

  destroy(): void {
    this.destroyed = true;
    this.broadcast.stop();
    this.link?.close();
    this.compaction.destroy();
    this.versions.destroy();
    this.presence.destroy();
    void this.cellEdits.close();
    this.awareness.destroy();
    this.staging.destroy();
    this.doc.destroy();
  }
}
