// Who may say what about presence in a room, and how often. Each connection speaks for one Yjs client id — the
// first it announces a valid state for — and never for an id another person has used in this room, so nobody can
// replace, remove or take over someone else's presence (not even while they reconnect). A connection's own states
// are forwarded at a bounded rate: a burst is coalesced to its latest state, and a connection that keeps flooding
// is closed.
import * as awarenessProtocol from 'y-protocols/awareness';
import { cleanState, decodeAwarenessUpdate, encodeAwarenessUpdate, type PresenceState } from './presence';
import type { Peer } from './room';

/** Larger awareness messages are refused unread. Our client's own state is a single entry under 1 KB; the only
 * bigger messages it sends are echoes of everyone's states (y-websocket re-sends whatever it receives), which are
 * dropped anyway, so even a very large room loses nothing. */
const MAX_AWARENESS_MESSAGE = 64 * 1024;
/** A connection's presence changes reach others in a burst of 60, then 30 a second: a selection dragged at
 * 60–144 Hz is coalesced to its latest position, so co-editors still see where it ends. */
const FORWARD_BURST = 60;
const FORWARD_PER_SECOND = 30;
/** A connection is closed when it runs out of strikes: one per coalesced or refused state, one per KB of a refused
 * state or oversized message; 100 a second are forgiven. A 144 Hz drag gains ~14 a second (over a minute to run
 * out); a flood of 1,000 messages a second is closed within about a second, a message of 1 MB or more at once. */
const STRIKES = 1_000;
const STRIKES_FORGIVEN_PER_SECOND = 100;
/** Client ids remembered per room with the person who used them, so that an id stays its owner's after their
 * connection drops (y-websocket reconnects with the same id). Oldest forgotten first. */
const REMEMBERED_IDS = 10_000;

const PRESENCE_FLOOD = { code: 1008, reason: 'Too many presence updates.' } as const;

export type PresenceStats = { malformed: number; presenceRefused: number; presenceCoalesced: number };

class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number
  ) {
    this.tokens = capacity;
    this.at = Date.now();
  }

  take(n = 1): boolean {
    this.refill();
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Milliseconds until one token is available. */
  wait(): number {
    this.refill();
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.perSecond));
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
  }
}

type Own = { clientId: number; clock: number; state: PresenceState | null };

type Sender = {
  clientId: number | null;
  forward: Bucket;
  strikes: Bucket;
  /** The latest state that arrived over the rate, sent when the bucket refills. */
  deferred: Own | null;
  timer: ReturnType<typeof setTimeout> | null;
  closed: boolean;
};

/** The person a relayed state was stamped with (presence.ts's cleanState), or null for "gone" or anything else. */
function stampedUser(raw: Uint8Array): string | null {
  try {
    const json: unknown = JSON.parse(new TextDecoder().decode(raw));
    const id = (json as { user?: { id?: unknown } } | null)?.user?.id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

const kb = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));

export class PresenceGate {
  private readonly senders = new Map<Peer, Sender>();
  private readonly owners = new Map<number, Peer>();
  /** client id → id of the person who used it in this room (insertion order is age). */
  private readonly usedBy = new Map<number, string>();

  constructor(
    private readonly awareness: awarenessProtocol.Awareness,
    private readonly stats: PresenceStats
  ) {}

  join(peer: Peer): void {
    this.senders.set(peer, {
      clientId: null,
      forward: new Bucket(FORWARD_BURST, FORWARD_PER_SECOND),
      strikes: new Bucket(STRIKES, STRIKES_FORGIVEN_PER_SECOND),
      deferred: null,
      timer: null,
      closed: false
    });
  }

  /** Forgets the connection and removes its presence. */
  leave(peer: Peer): void {
    const s = this.senders.get(peer);
    if (!s) return;
    this.senders.delete(peer);
    this.cancel(s);
    if (s.clientId !== null && this.owners.get(s.clientId) === peer) {
      this.owners.delete(s.clientId);
      awarenessProtocol.removeAwarenessStates(this.awareness, [s.clientId], null);
    }
  }

  /** Handles one awareness update from `peer`. Never throws. */
  receive(peer: Peer, update: Uint8Array): void {
    const s = this.senders.get(peer);
    if (!s || s.closed) return;
    if (update.length > MAX_AWARENESS_MESSAGE) {
      this.stats.presenceRefused++;
      this.strike(peer, s, kb(update.length));
      return;
    }
    let entries;
    try {
      entries = decodeAwarenessUpdate(update);
    } catch {
      this.stats.malformed++;
      return;
    }
    let latest: Own | null = null;
    for (const e of entries) {
      // Echoes of other people's states are not this connection's to change: skipped without being read.
      if (s.clientId !== null ? e.clientId !== s.clientId : !this.mayClaim(peer, e.clientId)) continue;
      const clean = cleanState(e.state, { userId: peer.user.id, name: peer.user.name });
      if (!clean.ok) {
        this.stats.presenceRefused++;
        if (!this.strike(peer, s, kb(e.state.length))) return;
        continue;
      }
      if (s.clientId === null) {
        if (clean.state === null) continue; // "gone" says nothing about an id it never had
        this.claim(peer, s, e.clientId);
      }
      latest = { clientId: e.clientId, clock: e.clock, state: clean.state };
    }
    if (latest) this.forward(peer, s, latest);
  }

  /** The client ids this server's connections speak for. */
  ownIds(): number[] {
    return [...this.owners.keys()];
  }

  /** Remembers the client ids in an awareness update another server accepted as its people's (their states are
   * stamped with who sent them there), so that nobody here may claim them. Ids held here are left alone. */
  noteRemote(update: Uint8Array): void {
    for (const e of decodeAwarenessUpdate(update)) {
      if (this.owners.has(e.clientId)) continue;
      const userId = stampedUser(e.state);
      if (userId) this.remember(e.clientId, userId);
    }
  }

  destroy(): void {
    for (const s of this.senders.values()) this.cancel(s);
    this.senders.clear();
  }

  private mayClaim(peer: Peer, id: number): boolean {
    if (id === this.awareness.clientID) return false;
    const owner = this.owners.get(id);
    if (owner && owner.user.id !== peer.user.id) return false;
    const user = this.usedBy.get(id);
    return user === undefined || user === peer.user.id;
  }

  private claim(peer: Peer, s: Sender, id: number): void {
    // Only the same person can hold it: their reconnection, while the server has not yet noticed the old
    // connection is gone. The new one takes over; the old one no longer speaks for it (nor removes it on leaving).
    const previous = this.owners.get(id);
    const prev = previous && previous !== peer ? this.senders.get(previous) : undefined;
    if (prev) {
      prev.clientId = null;
      this.cancel(prev);
    }
    this.owners.set(id, peer);
    s.clientId = id;
    this.remember(id, peer.user.id);
  }

  private remember(id: number, userId: string): void {
    this.usedBy.delete(id);
    this.usedBy.set(id, userId);
    if (this.usedBy.size > REMEMBERED_IDS) {
      for (const old of this.usedBy.keys()) {
        if (this.owners.has(old)) continue; // held by a live connection: protected by `owners` anyway
        this.usedBy.delete(old);
        break;
      }
    }
  }

  private forward(peer: Peer, s: Sender, own: Own): void {
    if (s.forward.take()) {
      s.deferred = null; // this one is newer
      this.apply(peer, own);
      return;
    }
    this.stats.presenceCoalesced++;
    s.deferred = own;
    if (!this.strike(peer, s, 1)) return;
    s.timer ??= this.schedule(peer, s);
  }

  private schedule(peer: Peer, s: Sender): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      s.timer = null;
      if (s.closed || !s.deferred || this.senders.get(peer) !== s) return;
      if (!s.forward.take()) {
        s.timer = this.schedule(peer, s);
        return;
      }
      const own = s.deferred;
      s.deferred = null;
      this.apply(peer, own);
    }, s.forward.wait());
    timer.unref?.();
    return timer;
  }

  private apply(peer: Peer, own: Own): void {
    // Re-encoded from the checked state: what others receive is exactly what was validated.
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessUpdate([own]), peer);
  }

  /** Takes `n` strikes; closes the connection (and returns false) when it has none left. */
  private strike(peer: Peer, s: Sender, n: number): boolean {
    if (s.strikes.take(n)) return true;
    s.closed = true;
    this.cancel(s);
    peer.close(PRESENCE_FLOOD.code, PRESENCE_FLOOD.reason);
    return false;
  }

  private cancel(s: Sender): void {
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    s.deferred = null;
  }
}
