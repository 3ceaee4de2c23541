// What a published dashboard's viewers may change and what follows (issue 21), from the frozen notebook alone:
// the inputs placed on the grid, which cards follow which of them (through the SQL cells they read, transitively),
// the SQL cells to re-run in notebook order (in the viewer's browser, or on the server for connection cells), and
// the base tables those browser re-runs read with only the columns they use. Pure and isomorphic: the caller
// says which tables exist and their columns (`columnsOf`) and a column's distinct values (`choicesOf`) — the
// server from its workbench at publish (server/publish/interactive-tables.ts), a browser from what it knows.
import type * as Y from 'yjs';
import { readChartConfig } from '../chart/config';
import { orderedCells, type Cell } from '../document';
import { readInputConfig, type Option } from '../input/config';
import { isInputCell } from '../input/kind';
import { inputValue } from '../input/value';
import type { PublishedInput } from '../interactive';
import { arrange, readLayout, type LayoutItem } from '../layout';
import { runsLocally } from '../sql/engine';
import { isSqlCell } from '../sql/kind';
import { INPUT_NAME, type InputValues } from '../sql/parameters';
import { notebookInputValues } from '../input/bound-inputs';
import { inputReferences, referencedNames } from '../sql/references';
import { textInputReferences } from '../text/input-values';
import { columnsToKeep } from './columns';

export type Column = { name: string; type: string };

export type PlanLookups = {
  /** The columns of a table SQL can read by `name` (an uploaded file or a cell's result), or undefined. */
  columnsOf(name: string): readonly Column[] | undefined;
  /** A column's distinct values in a result (an input's choices from a column), or undefined when unknown. */
  choicesOf(source: string, column: string): readonly Option[] | undefined;
};

export type PlannedCell = { cellId: string; name: string; sql: string; runsOn: 'browser' | 'server' };
/** A card that follows inputs: which (lower case), the SQL cells it reads, and a text card's markdown. */
export type PlannedCard = {
  cellId: string;
  view: LayoutItem['view'];
  inputs: string[];
  /** Lower-cased names of the re-run cells the card shows (directly or through others). */
  cells: string[];
  markdown?: string;
  /** A chart's result name. */
  source?: string;
};
/** A table published for viewers: `name` as the queries read it, with only `columns`; `readers` re-run it. */
export type PlannedTable = { name: string; columns: Column[]; allColumns: Column[]; readers: string[] };

export type Plan = {
  inputs: PublishedInput[];
  /** Inputs off the grid the browser re-runs bind, with their values at publish (fixed for viewers). */
  fixed: InputValues;
  cells: PlannedCell[];
  tables: PlannedTable[];
  cards: PlannedCard[];
};

/** The inputs on the grid, in the grid's order; an input whose name another input took first binds nothing. */
export function gridInputCells(doc: Y.Doc, items: readonly LayoutItem[] = arrange(readLayout(doc))): Cell[] {
  const cells = orderedCells(doc);
  const winners = new Map<string, string>();
  for (const c of cells)
    if (isInputCell(c) && INPUT_NAME.test(c.name) && !winners.has(c.name.toLowerCase()))
      winners.set(c.name.toLowerCase(), c.id);
  const byId = new Map(cells.map((c) => [c.id, c]));
  return items
    .filter((i) => i.view === 'input')
    .map((i) => byId.get(i.cellId))
    .filter((c): c is Cell => !!c && winners.get(c.name.toLowerCase()) === c.id);
}

function publishedInput(cell: Cell, lookups: PlanLookups): PublishedInput {
  const full = readInputConfig(cell.config.toJSON());
  // Viewers start from `initial`; the notebook's own value and default are none of their business beyond it.
  const config: Partial<typeof full> = { ...full };
  delete config.value;
  delete config.default;
  const options = full.options;
  const choices =
    options.from === 'list' ? options.values : [...(lookups.choicesOf(options.source, options.column) ?? [])];
  return {
    cellId: cell.id,
    name: cell.name,
    config: config as typeof full,
    choices,
    initial: inputValue(full)
  };
}

export function planInteractive(doc: Y.Doc, lookups: PlanLookups): Plan {
  const items = arrange(readLayout(doc));
  const inputCells = gridInputCells(doc, items);
  const inputs = inputCells.map((c) => publishedInput(c, lookups));
  const live = new Set(inputs.map((i) => i.name.toLowerCase()));

  const all = orderedCells(doc);
  const sql = all.filter((c) => isSqlCell(c) && c.name);
  // As the snapshot reads names (snapshot.ts neededCells): a name is the SQL cell of that name.
  const byName = new Map(sql.map((c) => [c.name.toLowerCase(), c]));
  /** Per SQL cell (lower-cased name): the live inputs it follows, through the cells it reads. */
  const follows = new Map<string, Set<string>>();
  const inputsOf = (name: string, path: Set<string> = new Set()): Set<string> => {
    const key = name.toLowerCase();
    const known = follows.get(key);
    if (known) return known;
    const cell = byName.get(key);
    const out = new Set<string>();
    if (!cell || path.has(key)) return out; // not a cell, or a cycle (the notebook would refuse to run it)
    const text = cell.source.toString();
    for (const name of inputReferences(text)) if (live.has(name)) out.add(name);
    const inner = new Set([...path, key]);
    for (const ref of referencedNames(text)) if (ref !== key) inputsOf(ref, inner).forEach((i) => out.add(i));
    follows.set(key, out);
    return out;
  };
  /** The cells `name` reads that are re-run (itself included), lower-cased. */
  const replayedBehind = (name: string, seen: Set<string> = new Set()): Set<string> => {
    const key = name.toLowerCase();
    const cell = byName.get(key);
    if (!cell || seen.has(key) || inputsOf(key).size === 0) return seen;
    seen.add(key);
    for (const ref of referencedNames(cell.source.toString())) replayedBehind(ref, seen);
    return seen;
  };

  const byId = new Map(all.map((c) => [c.id, c]));
  const cards: PlannedCard[] = [];
  const replayed = new Set<string>();
  for (const item of items) {
    const cell = byId.get(item.cellId);
    if (!cell || item.view === 'input') continue;
    if (item.view === 'text') {
      const markdown = cell.source.toString();
      const used = [...new Set(textInputReferences(markdown))].filter((n) => live.has(n));
      if (used.length) cards.push({ cellId: cell.id, view: 'text', inputs: used, cells: [], markdown });
      continue;
    }
    const source = item.view === 'chart' ? (readChartConfig(cell.config.toJSON()).source ?? '') : cell.name;
    const used = [...inputsOf(source)];
    if (!used.length) continue;
    const behind = [...replayedBehind(source)];
    behind.forEach((n) => replayed.add(n));
    cards.push({
      cellId: cell.id,
      view: item.view,
      inputs: inputs.map((i) => i.name.toLowerCase()).filter((n) => used.includes(n)),
      cells: behind,
      ...(item.view === 'chart' ? { source } : {})
    });
  }

  const cells: PlannedCell[] = sql
    .filter((c) => replayed.has(c.name.toLowerCase()) && byName.get(c.name.toLowerCase()) === c)
    .map((c) => ({
      cellId: c.id,
      name: c.name,
      sql: c.source.toString(),
      runsOn: runsLocally(c) ? 'browser' : 'server'
    }));
  return {
    inputs,
    fixed: fixedValues(doc, cells, live, lookups),
    cells,
    tables: baseTables(cells, lookups),
    cards
  };
}

/** The values of inputs off the grid that browser re-runs bind, as the notebook binds them at publish. */
function fixedValues(doc: Y.Doc, cells: PlannedCell[], live: Set<string>, lookups: PlanLookups): InputValues {
  const named = new Set(
    cells
      .filter((c) => c.runsOn === 'browser')
      .flatMap((c) => inputReferences(c.sql))
      .filter((n) => !live.has(n))
  );
  const all = notebookInputValues(doc, (source, column) => lookups.choicesOf(source, column));
  return Object.fromEntries(Object.entries(all).filter(([name]) => named.has(name.toLowerCase())));
}

/** Every name a browser re-run reads that is not itself re-run, with the columns those re-runs use. */
function baseTables(cells: PlannedCell[], lookups: PlanLookups): PlannedTable[] {
  const rerun = new Set(cells.map((c) => c.name.toLowerCase()));
  const readers = new Map<string, PlannedCell[]>();
  for (const cell of cells) {
    if (cell.runsOn !== 'browser') continue;
    for (const name of referencedNames(cell.sql)) {
      if (rerun.has(name) || !lookups.columnsOf(name)) continue;
      readers.set(name, [...(readers.get(name) ?? []), cell]);
    }
  }
  return [...readers.entries()].map(([name, by]) => {
    const allColumns = [...lookups.columnsOf(name)!];
    return {
      name,
      allColumns,
      columns: columnsToKeep(
        by.map((c) => c.sql),
        name,
        allColumns
      ),
      readers: by.map((c) => c.name)
    };
  });
}
