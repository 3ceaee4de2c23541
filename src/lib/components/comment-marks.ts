// Highlights the ranges of a cell's source that open comment threads are on. The ranges come from the threads'
// relative positions (src/lib/comments/anchor.ts) and then follow typing through CodeMirror's change mapping
// until the threads are read again.
import { StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';

export type MarkedRange = { from: number; to: number };

export const setCommentRanges = StateEffect.define<MarkedRange[]>();

const mark = Decoration.mark({ class: 'cm-commented', attributes: { title: 'Commented text' } });

const field = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) {
      if (!e.is(setCommentRanges)) continue;
      const len = tr.state.doc.length;
      const ranges = e.value
        .map((r) => ({ from: Math.max(0, Math.min(r.from, len)), to: Math.max(0, Math.min(r.to, len)) }))
        .filter((r) => r.to > r.from)
        .sort((a, b) => a.from - b.from || a.to - b.to);
      return Decoration.set(ranges.map((r) => mark.range(r.from, r.to)));
    }
    return tr.docChanged ? marks.map(tr.changes) : marks;
  },
  provide: (f) => EditorView.decorations.from(f)
});

export const commentMarks: Extension = [
  field,
  EditorView.baseTheme({
    '.cm-commented': { backgroundColor: '#fff3c4', borderBottom: '2px solid #f5c542' }
  })
];
