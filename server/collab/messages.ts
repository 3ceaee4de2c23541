// The y-websocket wire format: [messageType][payload]. Decoding is strict; anything malformed throws.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

const MSG_SYNC = 0;
const MSG_AWARENESS = 1;
/** "This notebook's comments changed": sent by the server only (src/lib/collab/comments-signal.ts). Clients never
 * send it; decodeMessage treats it from them like any unknown type, so a client cannot make others refetch. */
export const MSG_COMMENTS_CHANGED = 100;
/** Whether this server has lost the other servers (Redis): 1 while edits from elsewhere are held up, 0 when back. */
export const MSG_RELAY_STATUS = 101;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

export type Incoming =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array };

export class MalformedMessage extends Error {}

export function decodeMessage(data: Uint8Array): Incoming {
  try {
    const d = decoding.createDecoder(data);
    const type = decoding.readVarUint(d);
    let msg: Incoming;
    if (type === MSG_SYNC) {
      const step = decoding.readVarUint(d);
      const payload = decoding.readVarUint8Array(d);
      if (step === SYNC_STEP1) {
        Y.decodeStateVector(payload); // validates
        msg = { type: 'sync-step1', stateVector: payload };
      } else if (step === SYNC_STEP2 || step === SYNC_UPDATE) {
        // Fully decoding it up front means a broken update is refused before it is stored or applied.
        Y.decodeUpdate(payload);
        msg = { type: 'update', update: payload };
      } else throw new Error(`unknown sync step ${step}`);
    } else if (type === MSG_AWARENESS) {
      msg = { type: 'awareness', update: decoding.readVarUint8Array(d) };
    } else throw new Error(`unknown message type ${type}`);
    if (decoding.hasContent(d)) throw new Error('trailing bytes');
    return msg;
  } catch (e) {
    throw new MalformedMessage(e instanceof Error ? e.message : String(e));
  }
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG_SYNC);
  encoding.writeVarUint(e, SYNC_STEP1);
  encoding.writeVarUint8Array(e, Y.encodeStateVector(doc));
  return encoding.toUint8Array(e);
}

export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG_SYNC);
  encoding.writeVarUint(e, SYNC_STEP2);
  encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc, stateVector));
  return encoding.toUint8Array(e);
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG_SYNC);
  encoding.writeVarUint(e, SYNC_UPDATE);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG_AWARENESS);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

export function encodeRelayStatus(down: boolean): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG_RELAY_STATUS);
  encoding.writeVarUint(e, down ? 1 : 0);
  return encoding.toUint8Array(e);
}

export function encodeCommentsChanged(): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, MSG_COMMENTS_CHANGED);
  return encoding.toUint8Array(e);
}
