// Where updates spend their time in a room: bench:collab sets these to see its latency tail; unset, they cost one
// check per batch.

/** `queuedMs` is each update's wait before its batch began to be stored; `applyMs` covers applying the batch and
 * sending it to everyone here; `afterMs` the bookkeeping before the next batch. */
export type FlushTiming = { queuedMs: number[]; storeMs: number; applyMs: number; afterMs: number };

export const roomProbe: {
  flushed: ((t: FlushTiming) => void) | null;
  compacted: ((ms: number) => void) | null;
} = { flushed: null, compacted: null };
