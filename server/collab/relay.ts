// What a room needs from the traffic between several Sheaf servers, and the bytes that carry it. Rooms talk to this
// small interface only: without REDIS_URL there is no relay and a room works alone, as it always has; with it,
// redis-relay.ts implements it over Redis pub/sub.
//
// A frame is [version][kind][server id: 16 bytes][payload]. The server id lets a server drop its own messages
// (Redis delivers a publication to its publisher too, when it is subscribed). Frames come from our own servers
// through Redis, which only they can reach, but a malformed one must still never throw into a room: decodeFrame
// returns null for anything that is not exactly this shape.
import { randomBytes } from 'node:crypto';

const VERSION = 1;
// New kinds go at the end: a kind is sent as its index, and servers of two versions may share a Redis for a while.
const KINDS = ['update', 'awareness', 'resync', 'access', 'who', 'comments'] as const;
export type FrameKind = (typeof KINDS)[number];
export const SERVER_ID_BYTES = 16;
const HEADER = 2 + SERVER_ID_BYTES;

export type Frame = { kind: FrameKind; from: Uint8Array; payload: Uint8Array };

/** This process's id on the relay: random, so two processes never share one (not even after a restart). */
export function newServerId(): Uint8Array {
  return new Uint8Array(randomBytes(SERVER_ID_BYTES));
}

export function encodeFrame(kind: FrameKind, from: Uint8Array, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out[0] = VERSION;
  out[1] = KINDS.indexOf(kind);
  out.set(from, 2);
  out.set(payload, HEADER);
  return out;
}

export function decodeFrame(data: Uint8Array): Frame | null {
  if (data.length < HEADER || data[0] !== VERSION) return null;
  const kind = KINDS[data[1]!];
  if (!kind) return null;
  return { kind, from: data.subarray(2, HEADER), payload: data.subarray(HEADER) };
}

export function sameServer(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** What a room receives from other servers. Handlers must not throw (the relay logs if they do). */
export interface RoomListener {
  /** A document update another server has stored. */
  update(update: Uint8Array): void;
  /** An awareness update another server has accepted (already checked and stamped there). */
  awareness(update: Uint8Array): void;
  /** Something may have been stored that was not relayed (Redis was unreachable here or there): read the store. */
  resync(): void;
  /** A server just opened this notebook and asks for everyone's presence (else it waits for their renewals). */
  who(): void;
  /** The notebook's comments changed on another server: tell the clients here to fetch them again. */
  comments(): void;
}

/** One room's link to the other servers. */
export interface RoomLink {
  /** Only ever called with updates that are already stored. Never throws; a lost publication is made up for by a
   * resync (see Relay). */
  publishUpdate(update: Uint8Array): void;
  publishAwareness(update: Uint8Array): void;
  askWho(): void;
  close(): void;
}

export interface Relay {
  /** Subscribes to the notebook's channel. It resolves once the subscription is in place (or Redis is unreachable,
   * in which case a resync follows when it is back), so that whatever is stored after the caller then reads the
   * store reaches `listener`. */
  open(notebookId: string, listener: RoomListener): Promise<RoomLink>;
  /** Tells the other servers that the notebook's comments changed (whether or not this one has it open). At most
   * once, like presence: a client that misses it sees the change at its next fetch (reconnecting, opening the
   * panel). */
  publishComments(notebookId: string): void;
  close(): Promise<void>;
}
