// Precomputed answers for dropdowns (interactive dashboards, issue 21): at publish, every re-run cell that follows
// only dropdowns on the grid (and nothing from a database connection) is run for each of their choices, over the
// base tables just written, in a fresh DuckDB (as the binding check does: what a viewer's browser would compute,
// from nothing a viewer cannot already download). Each result small enough is kept as an Arrow IPC stream in the
// snapshot; a viewer picking a choice then gets the cards at once, without starting DuckDB-WASM. Other inputs
// (dates, numbers, text, multi-selects) and choices whose results are too big are computed in the browser.
import path from 'node:path';
import { answerKey } from '../../cells/answers';
import type { Interactive, Precomputed, PublishedInput } from '../../cells/interactive';
import { boundValue } from '../../cells/input/value';
import { compileParameters, type InputValue, type InputValues } from '../../cells/sql/parameters';
import { inputReferences, referencedNames } from '../../cells/sql/references';
import type { AnswerJob, Workbench } from './workbench-engine';

/** The most choices (all the dropdowns' together, multiplied) a cell is precomputed for. */
export const MAX_CHOICES = 64;
/**
 * What one answer may hold: a chart draws at most this many rows without DuckDB anyway (RAW_ROW_LIMIT is higher),
 * and a filter's results are aggregates, usually a few kilobytes.
 */
export const ANSWER_LIMITS = {
  maxRows: 10_000,
  maxBytes: 2 * 1024 ** 2,
  /** All answers of a snapshot together. */
  budgetBytes: 32 * 1024 ** 2,
  /** Publishing waits at most this long for them; what is done by then is kept. */
  budgetMs: 20_000
};

export const answerFile = (n: number) => `answer-${n}.arrow`;

type Group = { inputs: PublishedInput[]; cells: string[] };

/** The cells that can be precomputed, grouped by the dropdowns they follow (lower-cased names, notebook order). */
export function answerGroups(section: Interactive): Group[] {
  const grid = new Map(section.inputs.map((i) => [i.name.toLowerCase(), i]));
  const reruns = new Set(section.cells.map((c) => c.name.toLowerCase()));
  // Cell → the grid inputs its result follows, through the cells it reads; null: it cannot be precomputed.
  const follows = new Map<string, Set<string> | null>();
  for (const cell of section.cells) {
    const lower = cell.name.toLowerCase();
    if (cell.runsOn === 'server') {
      follows.set(lower, null);
      continue;
    }
    let set: Set<string> | null = new Set(inputReferences(cell.sql).filter((n) => grid.has(n)));
    for (const read of referencedNames(cell.sql)) {
      if (!reruns.has(read) || read === lower) continue;
      const upstream = follows.get(read);
      if (upstream === null || upstream === undefined) set = null;
      else if (set) for (const n of upstream) set.add(n);
      if (!set) break;
    }
    follows.set(lower, set);
  }
  const groups = new Map<string, Group>();
  for (const [cell, set] of follows) {
    if (!set || set.size === 0) continue;
    const inputs = [...set].sort().map((n) => grid.get(n)!);
    if (inputs.some((i) => i.config.widget !== 'dropdown' || i.choices.length === 0)) continue;
    if (inputs.reduce((n, i) => n * i.choices.length, 1) > MAX_CHOICES) continue;
    const key = inputs.map((i) => i.name.toLowerCase()).join('\u0000');
    const group = groups.get(key) ?? { inputs, cells: [] };
    group.cells.push(cell);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Every combination of the inputs' choices, as bound values by lower-cased name. */
function combinations(inputs: PublishedInput[]): Map<string, InputValue>[] {
  let out: Map<string, InputValue>[] = [new Map()];
  for (const input of inputs) {
    const next: Map<string, InputValue>[] = [];
    for (const choice of input.choices)
      for (const partial of out)
        next.push(
          new Map(partial).set(input.name.toLowerCase(), boundValue(input.config, choice, input.choices))
        );
    out = next;
  }
  return out;
}

/** The publish-time values with `chosen` in place of theirs (names compared in lower case, as SQL does). */
function withChoice(values: InputValues, chosen: Map<string, InputValue>, inputs: PublishedInput[]) {
  const out: InputValues = {};
  for (const [name, value] of Object.entries(values)) if (!chosen.has(name.toLowerCase())) out[name] = value;
  for (const input of inputs) out[input.name] = chosen.get(input.name.toLowerCase())!;
  return out;
}

/**
 * Runs the answers into `dir` (beside the base tables, which `section.tables` lists there) and says which were
 * kept. `values`: the inputs as bound at publish (the fixed ones stay so).
 */
export async function precomputeAnswers(
  bench: Workbench,
  section: Interactive,
  dir: string,
  values: InputValues,
  limits = ANSWER_LIMITS
): Promise<Precomputed[]> {
  const groups = answerGroups(section);
  if (!groups.length) return [];
  const byName = new Map(section.cells.map((c) => [c.name.toLowerCase(), c]));
  /** The re-run cells `names` read (themselves included), in notebook order. */
  const closure = (names: string[]) => {
    const out = new Set<string>();
    const visit = (n: string) => {
      const cell = byName.get(n);
      if (!cell || out.has(n) || cell.runsOn !== 'browser') return;
      out.add(n);
      for (const r of referencedNames(cell.sql)) visit(r);
    };
    names.forEach(visit);
    return section.cells.filter((c) => out.has(c.name.toLowerCase()));
  };
  let n = 0;
  const jobs: AnswerJob[] = [];
  const planned = new Map<string, { group: number; key: string }>(); // by file
  for (const [g, group] of groups.entries()) {
    const names = group.inputs.map((i) => i.name.toLowerCase());
    const keep = new Set(group.cells);
    const run = closure(group.cells);
    for (const chosen of combinations(group.inputs)) {
      const bound = withChoice(values, chosen, group.inputs);
      const file = answerFile(n++);
      planned.set(file, { group: g, key: answerKey(names, chosen) });
      jobs.push({
        file,
        cells: run.map((c) => {
          const q = compileParameters(c.runsOn === 'browser' ? c.sql : '', 'duckdb', bound);
          return { name: c.name, sql: q.sql, params: q.params, keep: keep.has(c.name.toLowerCase()) };
        })
      });
    }
  }
  const tables = section.tables.map((t) => ({ tableName: t.name, path: path.join(dir, t.file) }));
  const out: Precomputed[] = groups.map((g) => ({
    inputs: g.inputs.map((i) => i.name.toLowerCase()),
    answers: {}
  }));
  for (const written of await bench.precompute(tables, jobs, dir, limits)) {
    const p = planned.get(written.file);
    if (p) out[p.group]!.answers[p.key] = written;
  }
  return out.filter((p) => Object.keys(p.answers).length > 0);
}
