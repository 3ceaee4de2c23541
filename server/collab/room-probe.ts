// Where updates spend their time in a room: bench:collab sets these to see its latency tail; unset, they cost one
// check per batch.

/** `queuedMs` is each update's wait before its batch began to be stored; `applyMs` covers applying the batch and
 * sending it to everyone here; `afterMs` the bookkeeping before the next batch. */
export type FlushTiming = { queuedMs: number[]; storeMs: number; applyMs: number; afterMs: number };

/** A transaction's clocks before and after, per client: what it added. */
export type ClockMove = { beforeState: Map<number, number>; afterState: Map<number, number> };

export const roomProbe: {
  flushed: ((t: FlushTiming) => void) | null;
  compacted: ((ms: number) => void) | null;
  /** 'received': a client's update was admitted (checked, not yet stored); 'applied': an update was applied to
   * the room's document, so goes to its people this turn (stored here, or relayed from another server). */
  moved: ((stage: 'received' | 'applied', tr: ClockMove) => void) | null;
} = { flushed: null, compacted: null, moved: null };
