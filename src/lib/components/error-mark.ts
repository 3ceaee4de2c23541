// Underlines the spot a query error points at, until the text changes.
import { StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';

export const setErrorAt = StateEffect.define<number | null>();

const mark = Decoration.mark({ class: 'cm-query-error', attributes: { title: 'The error points here' } });

const field = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    for (const e of tr.effects) {
      if (!e.is(setErrorAt)) continue;
      if (e.value === null) return Decoration.none;
      const doc = tr.state.doc;
      const from = Math.min(Math.max(0, e.value), doc.length);
      // Mark the word at the spot (or one character) so it can be seen.
      const after = doc.sliceString(from, Math.min(doc.length, from + 64));
      const len = Math.max(1, /^[\w$."]+/.exec(after)?.[0].length ?? 1);
      const to = Math.min(doc.length, from + len);
      return to > from ? Decoration.set([mark.range(from, to)]) : Decoration.none;
    }
    return tr.docChanged ? Decoration.none : marks;
  },
  provide: (f) => EditorView.decorations.from(f)
});

export const errorMark: Extension = [
  field,
  EditorView.baseTheme({
    '.cm-query-error': {
      textDecoration: 'underline wavy #c0392b',
      textUnderlineOffset: '3px',
      backgroundColor: '#fdecea'
    }
  })
];
