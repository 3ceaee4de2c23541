// Renaming an input rewrites the {{name}} references that name it, as minimal edits to the shared text (so
// someone typing elsewhere in the same cell loses nothing). A field stays: {{period.start}} → {{range.start}}.
import type * as Y from 'yjs';

export type ReferenceSpan = { name: string; field: string | null; start: number; end: number };

/** Rewrites each span naming `from` (any case) to name `to`, last first so earlier offsets stay right. */
export function renameReferences(
  text: Y.Text,
  spans: readonly ReferenceSpan[],
  from: string,
  to: string
): void {
  const hits = spans.filter((s) => s.name.toLowerCase() === from.toLowerCase());
  for (const s of [...hits].sort((a, b) => b.start - a.start)) {
    text.delete(s.start, s.end - s.start);
    text.insert(s.start, `{{${to}${s.field ? `.${s.field}` : ''}}}`);
  }
}
