// What a SQL cell's editor shows about its `{{name}}` references to the notebook's inputs: the problems a run
// would refuse (underlined, with the run's own message: checkReferences, cells/sql/parameters.ts), the references
// that are bound (marked), and what to offer after `{{`. Plain functions over text; input-extension.ts puts them
// into CodeMirror.
import { inputShape, type NotebookInput } from '$cells/input/notebook-inputs';
import { WIDGET_LABELS } from '$cells/input/config';
import { checkReferences, type SqlDialect } from '$cells/sql/parameters';
import { scanSql } from '$cells/sql/references';

/** The notebook's inputs and the dialect the cell's SQL is read in. */
export type InputContext = { inputs: readonly NotebookInput[]; dialect: SqlDialect };

export type Span = { from: number; to: number };
export type ReferenceProblem = Span & { message: string };
export type ReferenceMarks = { problems: ReferenceProblem[]; bound: (Span & { name: string })[] };

/** Where `sql` refers to inputs wrongly (with why), and which references are bound. Offsets are 0-based. */
export function referenceMarks(sql: string, { inputs, dialect }: InputContext): ReferenceMarks {
  const problems = checkReferences(sql, dialect, inputs.map(inputShape)).map((e) => ({
    from: e.position - 1,
    to: e.position - 1 + e.length,
    message: e.message
  }));
  const wrong = new Set(problems.map((p) => p.from));
  const bound = scanSql(sql, dialect)
    .inputs.filter((r) => !wrong.has(r.start))
    .map((r) => ({ from: r.start, to: r.end, name: r.name }));
  return { problems, bound };
}

export type InputOption = { label: string; detail: string };
/** Options to offer, replacing the text from `from` to the caret. */
export type InputCompletion = { from: number; options: InputOption[] };

/** `{{`, maybe a name, maybe a dot and the start of a part, just before the caret. */
const OPENED = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)?(\.[A-Za-z0-9_]*)?$/;

/**
 * What to offer with the caret after `before` (the cell's text up to the caret): the inputs' names after `{{`
 * (a date range's as name.start and name.end, the only ways to bind it), and start/end after a date range's
 * `{{name.`. Nothing inside strings and comments, where `{{…}}` is not a reference.
 */
export function completeInput(before: string, { inputs, dialect }: InputContext): InputCompletion | null {
  const m = OPENED.exec(before);
  if (!m || inputs.length === 0) return null;
  // Is the `{{` where a reference would count? Close it and ask the scanner.
  const probe = scanSql(`${before.slice(0, m.index)}{{x}}`, dialect);
  if (!probe.inputs.some((r) => r.start === m.index)) return null;
  const [, name = '', part] = m;
  if (part !== undefined) {
    const range = inputs.find((i) => i.name.toLowerCase() === name.toLowerCase() && i.widget === 'daterange');
    if (!range) return null;
    return {
      from: before.length - part.length + 1,
      options: [
        { label: 'start', detail: `first day of ${range.name}` },
        { label: 'end', detail: `last day of ${range.name}` }
      ]
    };
  }
  return {
    from: before.length - name.length,
    options: inputs.flatMap((i) => {
      const detail = `${WIDGET_LABELS[i.widget].toLowerCase()} input`;
      return i.widget === 'daterange'
        ? [
            { label: `${i.name}.start`, detail },
            { label: `${i.name}.end`, detail }
          ]
        : [{ label: i.name, detail }];
    })
  };
}

/** The text to insert for a chosen option: its closing braces too, unless they follow the caret already. */
export const completionText = (label: string, after: string): string =>
  /^\s*\}\}/.test(after) ? label : `${label}}}`;
