// The SQL editor's knowledge of the notebook's inputs (input-references.ts) as CodeMirror sees it: problems as lint
// diagnostics (underlined; the tooltip is the run's message), bound references marked, and `{{` completion beside
// the language's own. Only codemirror-editor.ts imports this, so it stays in CodeMirror's lazily loaded chunk.
import {
  insertCompletionText,
  pickedCompletion,
  type Completion,
  type CompletionContext,
  type CompletionResult
} from '@codemirror/autocomplete';
import { linter, type Diagnostic } from '@codemirror/lint';
import { EditorState, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';
import { completeInput, completionText, referenceMarks, type InputContext } from './input-references';

/** The notebook's inputs changed (or the cell's dialect); null: the editor is not a SQL cell's. */
export const setInputContext = StateEffect.define<InputContext | null>();

const contextField = StateField.define<InputContext | null>({
  create: () => null,
  update: (value, tr) => {
    for (const e of tr.effects) if (e.is(setInputContext)) value = e.value;
    return value;
  }
});

const boundMark = (name: string) =>
  Decoration.mark({ class: 'cm-input-ref', attributes: { title: `Bound to the input ${name}` } });

/** Marks on the references that bind an input; recomputed when the text or the inputs change. */
const boundField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(marks, tr) {
    const changed = tr.effects.some((e) => e.is(setInputContext));
    if (!changed && !tr.docChanged) return marks;
    const context = tr.state.field(contextField);
    if (!context) return Decoration.none;
    const { bound } = referenceMarks(tr.state.doc.toString(), context);
    return Decoration.set(bound.map((b) => boundMark(b.name).range(b.from, b.to)));
  },
  provide: (f) => EditorView.decorations.from(f)
});

const problems = linter(
  (view): Diagnostic[] => {
    const context = view.state.field(contextField);
    if (!context) return [];
    return referenceMarks(view.state.doc.toString(), context).problems.map((p) => ({
      from: p.from,
      to: p.to,
      severity: 'error',
      source: 'inputs',
      message: p.message
    }));
  },
  {
    delay: 250,
    needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((e) => e.is(setInputContext)))
  }
);

function complete(ctx: CompletionContext): CompletionResult | null {
  const context = ctx.state.field(contextField);
  if (!context) return null;
  const found = completeInput(ctx.state.sliceDoc(0, ctx.pos), context);
  if (!found) return null;
  return {
    from: found.from,
    // Above the language's keywords and tables, which also match the letters typed after `{{`; in notebook order
    // (a range's start before its end) when they match equally well.
    options: found.options.map((o, i): Completion => ({
      label: o.label,
      sortText: String(i).padStart(4, '0'),
      detail: o.detail,
      type: 'variable',
      boost: 99,
      apply: (view, completion, from, to) =>
        view.dispatch({
          ...insertCompletionText(
            view.state,
            completionText(o.label, view.state.sliceDoc(to, to + 8)),
            from,
            to
          ),
          annotations: pickedCompletion.of(completion)
        })
    })),
    validFor: /^[A-Za-z0-9_.]*$/
  };
}

/** The extension, with the inputs known when the editor opens. */
export function inputReferences(initial: InputContext | null): Extension {
  return [
    contextField.init(() => initial),
    boundField.init((state) => {
      if (!initial) return Decoration.none;
      const { bound } = referenceMarks(state.doc.toString(), initial);
      return Decoration.set(bound.map((b) => boundMark(b.name).range(b.from, b.to)));
    }),
    problems,
    EditorState.languageData.of(() => [{ autocomplete: complete }]),
    EditorView.baseTheme({
      '.cm-input-ref': { backgroundColor: '#eaf2fb', borderRadius: '3px' }
    })
  ];
}
