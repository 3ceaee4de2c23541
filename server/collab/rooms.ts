// Loaded rooms, one per notebook: created on first join, compacted and unloaded when the last person leaves.
import type * as Y from 'yjs';
import type { Db } from '../db/types';
import type { NotebookId } from '../ids';
import type { Relay } from './relay';
import { Room, VERSION_TIMING, type Peer, type VersionTiming } from './room';

export class Rooms {
  private readonly rooms = new Map<NotebookId, Promise<Room>>();

  /** When rooms loaded from now on take automatic versions (tests shorten it). */
  versionTiming: VersionTiming = VERSION_TIMING;

  /** The link to other servers (REDIS_URL), set once at start before any room loads; null: this server is alone. */
  relay: Relay | null = null;
  /** Whether the link to other servers is down (edits from them are held up until it is back). */
  private relayIsDown = false;

  constructor(readonly db: Db) {}

  private get(notebookId: NotebookId): Promise<Room> {
    let room = this.rooms.get(notebookId);
    if (!room) {
      room = Room.load(this.db, notebookId, this.versionTiming, this.relay);
      this.rooms.set(notebookId, room);
      room.catch(() => this.rooms.delete(notebookId));
    }
    return room;
  }

  /** The loaded room, if any (for tests and stats). */
  async peek(notebookId: NotebookId): Promise<Room | undefined> {
    return this.rooms.get(notebookId);
  }

  async join(notebookId: NotebookId, peer: Peer): Promise<Room> {
    for (;;) {
      const room = await this.get(notebookId);
      // The room may have been unloaded while we waited; the next get() loads it afresh.
      if (room.isDestroyed) continue;
      room.join(peer);
      if (this.relayIsDown) room.relayStatus(true, peer);
      return room;
    }
  }

  /** Tells everyone connected here that edits from other servers are held up (or flow again). */
  relayDown(down: boolean): void {
    this.relayIsDown = down;
    for (const loading of this.rooms.values())
      void loading.then((room) => room.relayStatus(down)).catch(() => {});
  }

  async leave(room: Room, peer: Peer): Promise<void> {
    room.leave(peer);
    await this.unloadIfEmpty(room);
  }

  /** An edit by the server (a rename from the list, say) goes through the room so connected people see it. */
  async edit(notebookId: NotebookId, edit: (doc: Y.Doc) => void): Promise<void> {
    await this.withRoom(notebookId, (room) => room.serverEdit(edit));
  }

  /** Runs `fn` on the notebook's room, loading it if nobody has it open (and unloading it again afterwards). */
  async withRoom<T>(notebookId: NotebookId, fn: (room: Room) => Promise<T>): Promise<T> {
    for (;;) {
      const room = await this.get(notebookId);
      if (room.isDestroyed) continue;
      try {
        return await fn(room);
      } finally {
        await this.unloadIfEmpty(room);
      }
    }
  }

  private async unloadIfEmpty(room: Room): Promise<void> {
    if (room.size > 0 || room.unloading) return;
    room.unloading = true;
    try {
      // An edit can arrive while compacting (a rename from the list, say): fold it in too before unloading.
      do {
        await room.settled();
        // Edits since the last version become one before the room goes (versions never read the log).
        await room
          .checkpoint('auto')
          .catch((e) => console.error('collab: version before unloading failed:', e));
        await room.compact();
        await room.cellEdits.flush();
      } while (room.busy);
    } finally {
      room.unloading = false;
    }
    // Someone may have joined while we were compacting.
    if (room.size > 0 || room.isDestroyed) return;
    this.rooms.delete(room.notebookId);
    room.destroy();
  }

  /** Stores and compacts everything (graceful shutdown). */
  async closeAll(): Promise<void> {
    const rooms = await Promise.allSettled([...this.rooms.values()]);
    for (const r of rooms) {
      if (r.status !== 'fulfilled') continue;
      for (const peer of r.value.peerList) peer.close(1012, 'The server is restarting.');
      await r.value.settled();
      await r.value.checkpoint('auto').catch((e) => console.error('collab: version at shutdown failed:', e));
      await r.value.compact();
      await r.value.cellEdits.close();
      r.value.destroy();
    }
    this.rooms.clear();
  }
}

// One Rooms per database: the SvelteKit bundle and the server entry each hold a copy of this module.
const KEY = Symbol.for('sheaf.rooms');
type Holder = typeof globalThis & { [KEY]?: WeakMap<Db, Rooms> };

export function roomsFor(db: Db): Rooms {
  const g = globalThis as Holder;
  g[KEY] ??= new WeakMap();
  let rooms = g[KEY].get(db);
  if (!rooms) {
    rooms = new Rooms(db);
    g[KEY].set(db, rooms);
  }
  return rooms;
}
