// A room's staging copy: its document plus every update queued or being stored. Updates are tried here before
// they are stored, so one that decodes but cannot be applied is refused instead of stored (it would make the
// notebook unloadable), and only what is new to the server is kept.
import * as Y from 'yjs';
import { roomProbe } from './room-probe';

/** The origin of updates stored already: not admitted here. */
const RELAYED = Symbol('stored elsewhere');

export function isEmptyUpdate(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length === 0 && ds.clients.size === 0;
}

export function cloneDoc(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc({ gc: doc.gc });
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

export class Staging {
  private doc: Y.Doc;

  constructor(from: Y.Doc) {
    this.doc = this.watched(cloneDoc(from));
  }

  /** What is admitted, for bench:collab's probe; updates other servers stored (relayed) are not. */
  private watched(doc: Y.Doc): Y.Doc {
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.origin !== RELAYED) roomProbe.moved?.('received', tr);
    });
    return doc;
  }

  /** The part of `update` new to the server, once it applies cleanly; null if there is none; 'broken' if it does
   * not apply (the caller rebuilds: a failed apply may have left part of it behind). */
  admit(update: Uint8Array): Uint8Array | null | 'broken' {
    try {
      // A reconnecting client sends its whole state; only what is new to the server is worth storing.
      const fresh = Y.diffUpdate(update, Y.encodeStateVector(this.doc));
      if (isEmptyUpdate(fresh)) return null;
      Y.applyUpdate(this.doc, fresh);
      return fresh;
    } catch {
      return 'broken';
    }
  }

  /** An update stored already (relayed, or found in the store). */
  apply(update: Uint8Array): void {
    Y.applyUpdate(this.doc, update, RELAYED);
  }

  /** The update `edit` makes to the staged document, applied here; null when it changes nothing. */
  draft(edit: (doc: Y.Doc) => void): Uint8Array | null {
    const scratch = cloneDoc(this.doc);
    const before = Y.encodeStateVector(scratch);
    edit(scratch);
    const update = Y.encodeStateAsUpdate(scratch, before);
    scratch.destroy();
    if (isEmptyUpdate(update)) return null;
    Y.applyUpdate(this.doc, update);
    return update;
  }

  /** Starts again from the room's document plus what is still queued. */
  rebuild(from: Y.Doc, queued: Uint8Array[]): void {
    this.doc.destroy();
    this.doc = this.watched(cloneDoc(from));
    for (const u of queued) Y.applyUpdate(this.doc, u);
  }

  destroy(): void {
    this.doc.destroy();
  }
}
