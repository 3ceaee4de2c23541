// The notebook's inputs as SQL binds them, read from the document as stored: each input cell's name → its value
// now (current, else default, else empty), typed by its widget (boundValue). Whoever runs a notebook's SQL without
// a person's browser — publishing, refreshes, the demo seed — binds these, so a dashboard shows what the
// notebook shows. Isomorphic: nothing here reads a result; the caller hands over the choices a column offers.
import * as Y from 'yjs';
import { orderedCells } from '../document';
import { INPUT_NAME, InputText, MAX_LIST, type InputValues } from '../sql/parameters';
import { inputReferences } from '../sql/references';
import { readInputConfig, type InputConfig, type Option } from './config';
import { isInputCell } from './kind';
import { boundValue, inputValue } from './value';

/** A cell as this file reads it: a document's cell (Y.Map config) or a plain view of one. */
export type InputCellLike = { kind: string; name: string; config: Y.Map<unknown> | Record<string, unknown> };

/** Where a multi-select's choices come from when they are a column of an earlier result. */
export type ColumnSource = { source: string; column: string };

/** The distinct values of `column` in the result named `source`, when the caller has them. */
export type ColumnChoices = (source: string, column: string) => readonly Option[] | undefined;

type Named = { name: string; config: InputConfig };

/** The notebook's input cells with usable names, in notebook order; a name taken twice (any case): the first. */
function inputCells(from: Y.Doc | readonly InputCellLike[]): Named[] {
  const cells: readonly InputCellLike[] = from instanceof Y.Doc ? orderedCells(from) : from;
  const seen = new Set<string>();
  const out: Named[] = [];
  for (const cell of cells) {
    if (!isInputCell(cell) || !INPUT_NAME.test(cell.name) || seen.has(cell.name.toLowerCase())) continue;
    seen.add(cell.name.toLowerCase());
    const raw = cell.config instanceof Y.Map ? cell.config.toJSON() : cell.config;
    out.push({ name: cell.name, config: readInputConfig(raw) });
  }
  return out;
}

/** Whether the input binds every choice it offers now: an "empty means all" multi-select with nothing chosen. */
function bindsAll(config: InputConfig): boolean {
  if (config.widget !== 'multiselect' || !config.emptyMeansAll) return false;
  const value = inputValue(config);
  return Array.isArray(value) && value.length === 0;
}

/**
 * The columns whose distinct values the inputs bind now ("empty means all" multi-selects with nothing chosen
 * whose choices are a column of a result), once each: the caller reads them and passes them to
 * notebookInputValues.
 */
export function columnChoicesNeeded(from: Y.Doc | readonly InputCellLike[]): ColumnSource[] {
  const out = new Map<string, ColumnSource>();
  for (const { config } of inputCells(from)) {
    const options = config.options;
    if (options.from !== 'column' || !options.source || !options.column || !bindsAll(config)) continue;
    out.set(`${options.source.toLowerCase()}\u0000${options.column}`, {
      source: options.source,
      column: options.column
    });
  }
  return [...out.values()];
}

/**
 * The notebook's inputs as SQL binds them. A multi-select that "empty means all" with nothing chosen binds its
 * typed list, or the values of its column (`columnChoices`; none known binds an empty list, which matches nothing).
 */
export function notebookInputValues(
  from: Y.Doc | readonly InputCellLike[],
  columnChoices?: ColumnChoices
): InputValues {
  const values: InputValues = {};
  for (const { name, config } of inputCells(from)) {
    const options = config.options;
    const choices =
      options.from === 'list'
        ? options.values
        : (columnChoices?.(options.source, options.column) ?? []).slice(0, MAX_LIST);
    values[name] = boundValue(config, inputValue(config), choices);
  }
  return values;
}

/**
 * Distinct values of a column as choices: numbers stay numbers when the column is numeric, everything else is
 * compared as its text. NULLs and text SQL could not bind are left out.
 */
export function choicesFrom(values: readonly unknown[], numeric: boolean): Option[] {
  const out: Option[] = [];
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (numeric) {
      const n = Number(v);
      if (Number.isFinite(n)) out.push(n);
    } else {
      const s = String(v);
      if (InputText.safeParse(s).success) out.push(s);
    }
    if (out.length === MAX_LIST) break;
  }
  return out;
}

/**
 * The input cells `sqlSources` bind (`{{name}}`), in notebook order: a published dashboard's queries need them,
 * and a fork of it keeps them.
 */
export function referencedInputCells<C extends InputCellLike>(
  cells: readonly C[],
  sqlSources: string[],
  /** Names referenced elsewhere (text cards), lower-cased. */
  alsoNamed: string[] = []
): C[] {
  const wanted = new Set([...sqlSources.flatMap((sql) => inputReferences(sql)), ...alsoNamed]);
  const seen = new Set<string>();
  return cells.filter((c) => {
    const key = c.name.toLowerCase();
    if (!isInputCell(c) || !wanted.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The result an input's choices come from, if they are a column of one. */
export function choicesSource(cell: InputCellLike): string | null {
  const raw = cell.config instanceof Y.Map ? cell.config.toJSON() : cell.config;
  const options = readInputConfig(raw).options;
  return options.from === 'column' && options.source ? options.source : null;
}
