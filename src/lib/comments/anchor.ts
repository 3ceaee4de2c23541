// A thread's range of a cell's source, kept as Yjs relative positions so it follows the text as people type:
// made from the person's selection, stored encoded (base64), and resolved back to offsets in the browser. A range
// whose text was deleted resolves to nothing, and its thread stays on the cell as a whole.
import * as Y from 'yjs';
import { QUOTE_MAX_CHARS, type Anchor } from '$cells/comments';

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** An anchor over [from, to) of `text`; null for an empty range. The start sticks to the first character, the
 * end to the last, so typing just outside the range does not widen it. */
export function makeAnchor(text: Y.Text, from: number, to: number): Anchor | null {
  const [a, b] = [Math.max(0, Math.min(from, to)), Math.min(text.length, Math.max(from, to))];
  if (b <= a) return null;
  const start = Y.createRelativePositionFromTypeIndex(text, a, 0);
  const end = Y.createRelativePositionFromTypeIndex(text, b, -1);
  return {
    start: toBase64(Y.encodeRelativePosition(start)),
    end: toBase64(Y.encodeRelativePosition(end)),
    quote: text.toString().slice(a, b).slice(0, QUOTE_MAX_CHARS)
  };
}

/** Where the anchor's range is in `text` now, or null if its text is gone (or the anchor is not of this text). */
export function resolveAnchor(text: Y.Text, anchor: Anchor): { from: number; to: number } | null {
  const doc = text.doc;
  if (!doc) return null;
  try {
    const start = Y.createAbsolutePositionFromRelativePosition(
      Y.decodeRelativePosition(fromBase64(anchor.start)),
      doc
    );
    const end = Y.createAbsolutePositionFromRelativePosition(
      Y.decodeRelativePosition(fromBase64(anchor.end)),
      doc
    );
    if (!start || !end || start.type !== text || end.type !== text || end.index <= start.index) return null;
    return { from: start.index, to: end.index };
  } catch {
    return null; // not a relative position: made by something other than Sheaf's browser part
  }
}

/** The person's current selection in `text`, as y-codemirror keeps it in their awareness state (it stays there
 * after the editor loses focus to the Comment button), or null if they have none there. */
export function selectionIn(
  text: Y.Text,
  localState: Record<string, unknown> | null
): { from: number; to: number } | null {
  const cursor = localState?.cursor as { anchor?: unknown; head?: unknown } | null | undefined;
  const doc = text.doc;
  if (!cursor?.anchor || !cursor.head || !doc) return null;
  try {
    const a = Y.createAbsolutePositionFromRelativePosition(
      Y.createRelativePositionFromJSON(cursor.anchor),
      doc
    );
    const h = Y.createAbsolutePositionFromRelativePosition(
      Y.createRelativePositionFromJSON(cursor.head),
      doc
    );
    if (!a || !h || a.type !== text || h.type !== text || a.index === h.index) return null;
    return { from: Math.min(a.index, h.index), to: Math.max(a.index, h.index) };
  } catch {
    return null;
  }
}
