// CodeMirror 6 bound to a shared Y.Text: remote cursors, per-user undo, read-only for viewers. CodeEditor.svelte
// imports this module on demand (import()), so CodeMirror and its language packages are a chunk of their own that
// the notebook page loads after it has shown its cells and results, not before.
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap
} from '@codemirror/autocomplete';
import { defaultKeymap, indentWithTab } from '@codemirror/commands';
import { json } from '@codemirror/lang-json';
import { markdown } from '@codemirror/lang-markdown';
import { sql } from '@codemirror/lang-sql';
import {
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting
} from '@codemirror/language';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  keymap,
  placeholder as placeholderExt
} from '@codemirror/view';
import { yCollab, yUndoManagerKeymap } from 'y-codemirror.next';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { EditorLanguage } from '$cells/types';
import { inputReferences, setInputContext } from '$lib/editor/input-extension';
import type { InputContext } from '$lib/editor/input-references';
import { editorKey } from '$lib/keys/keymap';
import { commentMarks, setCommentRanges, type MarkedRange } from './comment-marks';
import { errorMark, setErrorAt } from './error-mark';

export type EditorOptions = {
  parent: HTMLElement;
  text: Y.Text;
  awareness: Awareness;
  undoManager: Y.UndoManager;
  language: EditorLanguage;
  schema: Record<string, string[]>;
  readOnly: boolean;
  label: string;
  placeholder: string;
  wrap: boolean;
  errorAt: number | null;
  /** A SQL cell's: the notebook's inputs, for `{{name}}` (problems underlined, completion). */
  inputs: InputContext | null;
  onShiftEnter: () => void;
  onToggleWrap: () => void;
  onEscape: () => void;
  onFocus: () => void;
};

export type Editor = {
  setLanguage: (language: EditorLanguage, schema: Record<string, string[]>) => void;
  setWrap: (on: boolean) => void;
  setErrorAt: (offset: number | null) => void;
  setInputs: (inputs: InputContext | null) => void;
  /** The ranges open comment threads are on, highlighted. */
  setCommentRanges: (ranges: MarkedRange[]) => void;
  /** Focuses the editor, with the caret at `caret` when given. */
  focus: (caret?: number) => void;
  destroy: () => void;
};

function languageExt(lang: EditorLanguage, tables: Record<string, string[]>): Extension {
  if (lang === 'sql') return sql({ schema: tables });
  if (lang === 'markdown') return markdown();
  if (lang === 'json') return json();
  return [];
}

export function createEditor(o: EditorOptions): Editor {
  const languageConf = new Compartment();
  const wrapConf = new Compartment();
  const view = new EditorView({
    parent: o.parent,
    state: EditorState.create({
      doc: o.text.toString(),
      extensions: [
        // Above autocompletion's own keys: one Esc always leaves the editor (an open popup closes on blur),
        // and Shift+Enter always runs, as in Jupyter's command model.
        Prec.highest(
          keymap.of([
            {
              key: editorKey('run-and-advance'),
              run: () => {
                o.onShiftEnter();
                return true;
              }
            },
            {
              key: editorKey('toggle-wrap'),
              run: () => {
                o.onToggleWrap();
                return true;
              }
            },
            {
              key: editorKey('leave-editor'),
              run: () => {
                o.onEscape();
                return true;
              }
            }
          ])
        ),
        keymap.of([
          ...closeBracketsKeymap,
          ...completionKeymap,
          ...yUndoManagerKeymap,
          ...defaultKeymap,
          indentWithTab
        ]),
        drawSelection(),
        highlightActiveLine(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        autocompletion(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        placeholderExt(o.placeholder),
        languageConf.of(languageExt(o.language, o.schema)),
        wrapConf.of(o.wrap ? EditorView.lineWrapping : []),
        errorMark,
        commentMarks,
        inputReferences(o.inputs),
        yCollab(o.text, o.awareness, { undoManager: o.undoManager }),
        EditorState.readOnly.of(o.readOnly),
        EditorView.editable.of(!o.readOnly),
        EditorView.contentAttributes.of({ 'aria-label': o.label }),
        EditorView.domEventHandlers({
          focus: () => {
            // Edits in another cell start a new undo step.
            o.undoManager.stopCapturing();
            o.onFocus();
          }
        }),
        EditorView.theme({
          '&': { fontSize: '14px', backgroundColor: 'transparent' },
          // CodeEditor.svelte's plain-text stand-in has the same font, size and padding: nothing moves when the
          // editor replaces it.
          '.cm-content': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', padding: '8px 0' },
          '&.cm-focused': { outline: 'none' },
          '.cm-activeLine': { backgroundColor: 'transparent' },
          '&.cm-focused .cm-activeLine': { backgroundColor: o.readOnly ? 'transparent' : '#f4f6f4' }
        })
      ]
    })
  });
  if (o.errorAt !== null) view.dispatch({ effects: setErrorAt.of(o.errorAt) });
  return {
    setLanguage: (language, schema) =>
      view.dispatch({ effects: languageConf.reconfigure(languageExt(language, schema)) }),
    setWrap: (on) => view.dispatch({ effects: wrapConf.reconfigure(on ? EditorView.lineWrapping : []) }),
    setErrorAt: (offset) => view.dispatch({ effects: setErrorAt.of(offset) }),
    setInputs: (inputs) => view.dispatch({ effects: setInputContext.of(inputs) }),
    setCommentRanges: (ranges) => view.dispatch({ effects: setCommentRanges.of(ranges) }),
    focus: (caret) => {
      if (caret !== undefined)
        view.dispatch({ selection: { anchor: Math.min(Math.max(0, caret), view.state.doc.length) } });
      view.focus();
    },
    destroy: () => view.destroy()
  };
}
