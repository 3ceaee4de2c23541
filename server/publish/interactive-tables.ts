// A snapshot's `interactive` section (cells/interactive.ts) at publish and refresh: the plan from the frozen
// notebook (cells/interactive-plan/), its base tables written from the workbench as `table-<n>.parquet` with only
// the columns the re-run queries use, and a check in a fresh DuckDB that those queries bind over exactly the
// written files; when they do not, the table is written again with all its columns, and a table no query turns
// out to need is left out. Also answers the publish panel's question of what viewers could download (exposure).
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type * as Y from 'yjs';
import { finishPlan, type Written } from '../../cells/interactive-plan/finish';
import {
  gridInputCells,
  planInteractive,
  type Plan,
  type PlannedTable
} from '../../cells/interactive-plan/plan';
import type { Option } from '../../cells/input/config';
import { readInputConfig } from '../../cells/input/config';
import type { Interactive } from '../../cells/interactive';
import { compileParameters, type InputValues } from '../../cells/sql/parameters';
import { distinctValues } from './bench-inputs';
import type { ReplayCheck, Workbench } from './workbench-engine';
import { stat } from 'node:fs/promises';

export const tableFile = (n: number) => `table-${n}.parquet`;

/** The plan over what the workbench holds now (every cell the dashboard needs has run into it). */
export async function planFromBench(bench: Workbench, doc: Y.Doc): Promise<Plan> {
  const tables = new Map((await bench.tableColumns()).map((t) => [t.name.toLowerCase(), t.columns]));
  const choices = new Map<string, Option[]>();
  for (const cell of gridInputCells(doc)) {
    const options = readInputConfig(cell.config.toJSON()).options;
    if (options.from !== 'column' || !tables.has(options.source.toLowerCase())) continue;
    choices.set(
      `${options.source.toLowerCase()}\u0000${options.column}`,
      await distinctValues(bench, options.source, options.column)
    );
  }
  return planInteractive(doc, {
    columnsOf: (name) => tables.get(name.toLowerCase()),
    choicesOf: (source, column) => choices.get(`${source.toLowerCase()}\u0000${column}`)
  });
}

/**
 * Writes the plan's base tables into `dir` and checks them; by lower-cased name, what was written or why not.
 * `values`: the inputs as bound at publish, for the binding check.
 */
export async function writeBaseTables(
  bench: Workbench,
  plan: Plan,
  dir: string,
  values: InputValues
): Promise<Map<string, Written>> {
  const written = new Map<string, Written>();
  const browserCells: ReplayCheck[] = [];
  for (const cell of plan.cells) {
    if (cell.runsOn !== 'browser') continue;
    try {
      const q = compileParameters(cell.sql, 'duckdb', values);
      browserCells.push({ name: cell.name, sql: q.sql, params: q.params });
    } catch (e) {
      // The refresh itself would have failed on this; a plan never gets here with it.
      throw new Error(`The query "${cell.name}" cannot be re-run: ${(e as Error).message}`, { cause: e });
    }
  }
  const files = new Map<string, { table: PlannedTable; file: string; all: boolean }>();
  const write = async (table: PlannedTable, file: string, all: boolean) => {
    const columns = (all ? table.allColumns : table.columns).map((c) => c.name);
    // A query that reads none of a table's columns (count(*)) still needs its rows: keep the narrowest.
    const chosen = columns.length ? columns : [table.allColumns[0]!.name];
    const out = await bench.exportParquet(table.name, chosen, dir, file);
    files.set(table.name.toLowerCase(), { table, file, all });
    return out;
  };
  const results = new Map<string, { rows: number; columns: { name: string; type: string }[] }>();
  let n = 0;
  for (const table of plan.tables) {
    if (table.allColumns.length === 0) continue;
    try {
      results.set(table.name.toLowerCase(), await write(table, tableFile(n++), false));
    } catch (e) {
      // Too big for the writer's memory, most likely: those cards stay as published, the rest go on.
      console.error(`publish: could not write base table ${table.name}:`, e);
      written.set(table.name.toLowerCase(), { error: 'its data is too large to publish for browsers' });
    }
  }
  const views = () =>
    [...files.values()].map((f) => ({ tableName: f.table.name, path: path.join(dir, f.file) }));
  let problem = await bench.checkReplay(views(), browserCells);
  if (problem) {
    // The pruning missed something DuckDB needs: everything, then, for the tables that were pruned.
    for (const f of [...files.values()].filter(
      (f) => !f.all && f.table.columns.length < f.table.allColumns.length
    ))
      results.set(f.table.name.toLowerCase(), await write(f.table, f.file, true));
    problem = await bench.checkReplay(views(), browserCells);
  }
  if (problem) {
    for (const f of files.values()) {
      await rm(path.join(dir, f.file), { force: true });
      written.set(f.table.name.toLowerCase(), { error: `it cannot be recomputed in a browser (${problem})` });
    }
    return written;
  }
  // A name the queries mention need not be a table they read (a column called like a cell): without it they
  // still bind, so viewers do not get it.
  for (const f of [...files.values()]) {
    const without = views().filter((v) => v.tableName.toLowerCase() !== f.table.name.toLowerCase());
    if ((await bench.checkReplay(without, browserCells)) === null) {
      files.delete(f.table.name.toLowerCase());
      results.delete(f.table.name.toLowerCase());
      await rm(path.join(dir, f.file), { force: true });
    }
  }
  for (const [key, f] of files) {
    const r = results.get(key)!;
    written.set(key, {
      file: f.file,
      columns: r.columns,
      rows: r.rows,
      bytes: (await stat(path.join(dir, f.file))).size
    });
  }
  return written;
}

/** Plan, tables and the chart specs made into the snapshot's section (absent when nothing follows an input). */
export async function interactiveSection(
  bench: Workbench,
  doc: Y.Doc,
  dir: string,
  values: InputValues,
  specs: ReadonlyMap<string, Record<string, unknown>>
): Promise<Interactive | undefined> {
  const plan = await planFromBench(bench, doc);
  if (plan.cards.length === 0) return undefined;
  const written = await writeBaseTables(bench, plan, dir, values);
  // Tables dropped as unread are no card's need.
  const needed = { ...plan, tables: plan.tables.filter((t) => written.has(t.name.toLowerCase())) };
  const section = finishPlan(needed, written, specs);
  if (section) {
    const kept = new Set(section.tables.map((t) => t.file));
    for (const w of written.values())
      if ('file' in w && !kept.has(w.file)) await rm(path.join(dir, w.file), { force: true });
  }
  return section;
}
