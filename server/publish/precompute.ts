// Precomputed answers for dropdowns and checkboxes (interactive dashboards, issue 21): at publish, every re-run
// cell that follows only such inputs on the grid (and nothing from a connection) is run for each choice, over the
// base tables just written, in a fresh DuckDB (as the binding check does: what a viewer's browser would compute,
// from nothing a viewer cannot already download). Each result small enough is kept as an Arrow IPC stream in the
// snapshot; a viewer picking a choice then gets the cards at once, without starting DuckDB-WASM. Other inputs
// (dates, numbers, text, multi-selects) and choices whose results are too big are computed in the browser.
// answerChoices (cells/answers.ts) says which values an input can take.
import path from 'node:path';
import { answerChoices, answerKey, choiceCount } from '../../cells/answers';
import {
  PrecomputedSchema,
  type Interactive,
  type Precomputed,
  type PublishedInput
} from '../../cells/interactive';
import { boundValue } from '../../cells/input/value';
import { compileParameters, type InputValue, type InputValues } from '../../cells/sql/parameters';
import { replayUpstream } from '../../cells/replay-upstream';
import { inputReferences, referencedNames } from '../../cells/sql/references';
import type { AnswerGroup, Workbench } from './workbench-engine';

/** The most choices (all the inputs' together, multiplied) a cell is precomputed for. */
export const MAX_CHOICES = 64;
/** The most inputs one set of answers follows, and the longest choice key (both as dashboard.json allows). */
const MAX_INPUTS = 8;
const MAX_KEY_CHARS = 8000;
/** What one publish may ask of the child: choices in all, and SQL text (each group's cells sent once). */
const MAX_JOBS = 1000;
const MAX_SQL_CHARS = 4 * 1024 ** 2;
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

/** The cells that can be precomputed, grouped by the inputs they follow (lower-cased names, notebook order). */
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
    if (inputs.length > MAX_INPUTS) continue;
    if (choiceCount(inputs) > MAX_CHOICES) continue;
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
    for (const choice of answerChoices(input) ?? [])
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
 * kept. `values`: the inputs as bound at publish (the fixed ones stay so); `sources`: the cells the live cards
 * show (lower case): only their results are kept.
 */
export async function precomputeAnswers(
  bench: Workbench,
  section: Interactive,
  dir: string,
  values: InputValues,
  sources: ReadonlySet<string>,
  limits = ANSWER_LIMITS
): Promise<Precomputed[]> {
  /** The re-run cells `names` read (themselves included), in notebook order. */
  const closure = (names: string[]) => {
    const needed = replayUpstream(section.cells, names);
    return section.cells.flatMap((c) =>
      c.runsOn === 'browser' && needed.has(c.name.toLowerCase()) ? [c] : []
    );
  };
  let n = 0;
  let sqlChars = 0;
  const requests: AnswerGroup[] = [];
  const planned = new Map<string, { group: number; key: string }>(); // by file
  const out: Precomputed[] = [];
  for (const group of answerGroups(section)) {
    const kept = group.cells.filter((c) => sources.has(c));
    if (!kept.length) continue;
    const names = group.inputs.map((i) => i.name.toLowerCase());
    const run = closure(kept);
    const chosen = combinations(group.inputs);
    const size = run.reduce((sum, c) => sum + c.sql.length, 0);
    if (n + chosen.length > MAX_JOBS || sqlChars + size > MAX_SQL_CHARS) continue;
    const request: AnswerGroup = { cells: [], choices: [] };
    for (const choice of chosen) {
      const key = answerKey(names, choice);
      if (key.length > MAX_KEY_CHARS) continue;
      const bound = withChoice(values, choice, group.inputs);
      const compiled = run.map((c) => compileParameters(c.sql, 'duckdb', bound));
      // The same text for every choice (these inputs bind one value each); only the values differ.
      if (!request.cells.length)
        request.cells = run.map((c, i) => ({
          name: c.name,
          sql: compiled[i]!.sql,
          keep: kept.includes(c.name.toLowerCase())
        }));
      else if (compiled.some((q, i) => q.sql !== request.cells[i]!.sql)) continue;
      const file = answerFile(n++);
      planned.set(file, { group: out.length, key });
      request.choices.push({ file, params: compiled.map((q) => q.params) });
    }
    if (!request.choices.length) continue;
    sqlChars += size;
    requests.push(request);
    out.push({ inputs: names, answers: {} });
  }
  if (!requests.length) return [];
  const tables = section.tables.map((t) => ({ tableName: t.name, path: path.join(dir, t.file) }));
  for (const written of await bench.precompute(tables, requests, dir, limits)) {
    const p = planned.get(written.file);
    if (p) out[p.group]!.answers[p.key] = written;
  }
  const answered = out.filter((p) => Object.keys(p.answers).length > 0);
  // dashboard.json is read back strictly: what it could not hold is not written into it.
  return PrecomputedSchema.array().max(1000).safeParse(answered).success ? answered : [];
}
