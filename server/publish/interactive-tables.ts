// A snapshot's `interactive` section (cells/interactive.ts) at publish and refresh: the plan from the frozen
// notebook (cells/interactive-plan/), its base tables written from the workbench as `table-<n>.parquet` with only
// the columns the re-run queries use, and a check in a fresh DuckDB that those queries bind over exactly the
// written files; when they do not, the table is written again with all its columns, and a table no query turns
// out to need is left out.
// The publish panel's preview (exposure.ts) runs the same code into a throwaway folder.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type * as Y from 'yjs';
import { finishPlan, type Written } from '../../cells/interactive-plan/finish';
import { planInteractive, type Plan, type PlannedTable } from '../../cells/interactive-plan/plan';
import { orderedCells } from '../../cells/document';
import { readInputConfig, type Option } from '../../cells/input/config';
import { isInputCell } from '../../cells/input/kind';
import type { Interactive } from '../../cells/interactive';
import { compileParameters, type InputValues } from '../../cells/sql/parameters';
import { referencedNames } from '../../cells/sql/references';
import { distinctValues } from './bench-inputs';
import { precomputeAnswers } from './precompute';
import type { ColumnInfo, FileView, ReplayCheck, Workbench } from './workbench-engine';
import { stat } from 'node:fs/promises';

export const tableFile = (n: number) => `table-${n}.parquet`;

type Schemas = Map<string, ColumnInfo[]>;

/** The plan over what the workbench holds now (every cell the dashboard needs has run into it). */
export async function planFromBench(bench: Workbench, doc: Y.Doc): Promise<{ plan: Plan; tables: Schemas }> {
  const tables: Schemas = new Map((await bench.tableColumns()).map((t) => [t.name.toLowerCase(), t.columns]));
  const choices = new Map<string, Option[]>();
  // Every input's column choices: those on the grid are offered to viewers, the others may be bound as fixed.
  for (const cell of orderedCells(doc).filter(isInputCell)) {
    const options = readInputConfig(cell.config.toJSON()).options;
    if (options.from !== 'column' || !tables.has(options.source.toLowerCase())) continue;
    choices.set(
      `${options.source.toLowerCase()}\u0000${options.column}`,
      await distinctValues(bench, options.source, options.column)
    );
  }
  const plan = planInteractive(doc, {
    columnsOf: (name) => tables.get(name.toLowerCase()),
    choicesOf: (source, column) => choices.get(`${source.toLowerCase()}\u0000${column}`)
  });
  return { plan, tables };
}

/**
 * Writes the plan's base tables into `dir` and checks them; by lower-cased name, what was written or why not.
 * `values`: the inputs as bound at publish, for the binding check.
 */
export async function writeBaseTables(
  bench: Workbench,
  { plan, tables }: { plan: Plan; tables: Schemas },
  dir: string,
  values: InputValues
): Promise<Map<string, Written>> {
  const written = new Map<string, Written>();
  const results = new Map<string, { rows: number; columns: { name: string; type: string }[] }>();
  const files = new Map<string, { table: PlannedTable; file: string; all: boolean }>();
  const write = async (table: PlannedTable, file: string, all: boolean) => {
    const columns = (all ? table.allColumns : table.columns).map((c) => c.name);
    // A query that reads none of a table's columns (count(*)) still needs its rows: keep the narrowest.
    const chosen = columns.length ? columns : [table.allColumns[0]!.name];
    const out = await bench.exportParquet(table.name, chosen, dir, file);
    files.set(table.name.toLowerCase(), { table, file, all });
    return out;
  };
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

  // The browser re-runs to check, less those that read (directly or through another) a table not written.
  const lost = new Set(
    plan.tables
      .filter((t) => written.has(t.name.toLowerCase()))
      .flatMap((t) => t.readers.map((r) => r.toLowerCase()))
  );
  const browserCells: ReplayCheck[] = [];
  for (const cell of plan.cells) {
    if (cell.runsOn !== 'browser') continue;
    if (lost.has(cell.name.toLowerCase()) || [...referencedNames(cell.sql)].some((r) => lost.has(r))) {
      lost.add(cell.name.toLowerCase());
      continue;
    }
    try {
      const q = compileParameters(cell.sql, 'duckdb', values);
      browserCells.push({ name: cell.name, sql: q.sql, params: q.params });
    } catch (e) {
      // The refresh itself would have failed on this; a plan never gets here with it.
      throw new Error(`The query "${cell.name}" cannot be re-run: ${(e as Error).message}`, { cause: e });
    }
  }
  // Connection cells re-run on the server for viewers: empty tables of their columns stand in for them.
  const standIns = plan.cells
    .filter((c) => c.runsOn === 'server')
    .map((c) => ({ name: c.name, columns: tables.get(c.name.toLowerCase()) ?? [] }));
  const check = (views: FileView[]) => bench.checkReplay(views, browserCells, standIns);
  const views = () =>
    [...files.values()].map((f) => ({ tableName: f.table.name, path: path.join(dir, f.file) }));
  let problem = await check(views());
  if (problem) {
    // The pruning missed something DuckDB needs: everything, then, for the tables that were pruned.
    for (const f of [...files.values()].filter(
      (f) => !f.all && f.table.columns.length < f.table.allColumns.length
    ))
      results.set(f.table.name.toLowerCase(), await write(f.table, f.file, true));
    problem = await check(views());
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
    if ((await check(without)) === null) {
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

/**
 * Plan, tables and the chart specs made into the snapshot's section (absent when nothing follows an input).
 * `specs` null: charts are not drawn (the publish panel's preview), every chart counts as drawable.
 */
export async function interactiveSection(
  bench: Workbench,
  doc: Y.Doc,
  dir: string,
  values: InputValues,
  specs: ReadonlyMap<string, Record<string, unknown>> | null
): Promise<Interactive | undefined> {
  const planned = await planFromBench(bench, doc);
  const { plan } = planned;
  if (plan.cards.length === 0) return undefined;
  const publishing = specs !== null;
  specs ??= new Map(plan.cards.filter((c) => c.view === 'chart').map((c) => [c.cellId, {}]));
  const written = await writeBaseTables(bench, planned, dir, values);
  // Tables dropped as unread are no card's need.
  const needed = { ...plan, tables: plan.tables.filter((t) => written.has(t.name.toLowerCase())) };
  const section = finishPlan(needed, written, specs);
  if (section) {
    const kept = new Set(section.tables.map((t) => t.file));
    for (const w of written.values())
      if ('file' in w && !kept.has(w.file)) await rm(path.join(dir, w.file), { force: true });
    // Only a speed-up: a publish goes on without them (the preview has nothing to show of them).
    if (publishing) {
      const nameOf = new Map(plan.cells.map((c) => [c.cellId, c.name]));
      const sources = new Set(
        section.cards.flatMap((c) => {
          const name = c.chart?.source ?? (c.markdown === undefined ? nameOf.get(c.cellId) : undefined);
          return name ? [name.toLowerCase()] : [];
        })
      );
      const precomputed = await precomputeAnswers(bench, section, dir, values, sources).catch(
        (e: unknown) => {
          console.error('publish: could not precompute answers for dropdowns:', e);
          return [];
        }
      );
      if (precomputed.length) section.precomputed = precomputed;
    }
  }
  return section;
}
