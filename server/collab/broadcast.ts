// Sends a room's applied updates to its people, once per turn of the event loop: the updates applied in one turn
// (a stored batch, several rooms' writes committed together, updates relayed from other servers) go to each peer as
// one merged message instead of one each. Each message is a socket write (a syscall), and under load those writes
// were the collaboration server's largest cost; the wait is only to the end of the current turn.
import * as Y from 'yjs';
import { encodeUpdate } from './messages';

export interface Recipient {
  send(data: Uint8Array): void;
}

type Applied = { update: Uint8Array; origin: unknown };

export class Broadcast {
  private pending: Applied[] = [];
  private scheduled = false;
  private stopped = false;

  constructor(private readonly peers: () => Iterable<Recipient>) {}

  /** An update applied to the document; `origin` (a peer) is not sent its own updates. */
  add(update: Uint8Array, origin: unknown): void {
    if (this.stopped) return;
    this.pending.push({ update, origin });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  stop(): void {
    this.stopped = true;
    this.pending = [];
  }

  private flush(): void {
    this.scheduled = false;
    const applied = this.pending;
    this.pending = [];
    if (this.stopped || applied.length === 0) return;
    const all = encodeUpdate(
      applied.length === 1 ? applied[0]!.update : Y.mergeUpdates(applied.map((a) => a.update))
    );
    const origins = new Set(applied.map((a) => a.origin));
    for (const peer of this.peers()) {
      if (!origins.has(peer)) {
        peer.send(all);
        continue;
      }
      // A peer that sent some of these gets only the others' (its own it has).
      const others = applied.filter((a) => a.origin !== peer).map((a) => a.update);
      if (others.length > 0)
        peer.send(encodeUpdate(others.length === 1 ? others[0]! : Y.mergeUpdates(others)));
    }
  }
}
