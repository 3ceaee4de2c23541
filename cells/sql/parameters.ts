// Inputs bound into SQL as real parameters. A query names an input as `{{name}}` (a date range's ends as
// `{{period.start}}` / `{{period.end}}`); compiling replaces each reference with the engine's placeholder and
// lists the values to bind beside the text. A value never becomes SQL text. Per engine:
//   DuckDB      $1, $2… (a name used twice is one $n); numbers cast to BIGINT/DOUBLE, dates to DATE, booleans
//               to BOOLEAN; a list is a list literal of placeholders, [$1, $2], cast to VARCHAR[] or a number list.
//   PostgreSQL  $1, $2… (a name used twice is one $n); numbers ::int8 / ::numeric, dates ::date, booleans
//               ::boolean; text and text lists take their type from where they are used, as a quoted literal
//               does; a list is one array parameter (`= any({{regions}})`).
//   MySQL       ? each time (a name used twice binds its value twice); dates cast(? as date); a list becomes
//               ?, ?, ? (for `in ({{regions}})`), and an empty list a subquery with no rows, so `in` matches
//               nothing and `not in` everything, as for an empty array elsewhere.
// Pure and isomorphic: the browser compiles for DuckDB-WASM, the server for its connectors.
import { z } from 'zod';
import { scanSql, type InputReference, type SqlDialect, type SqlScan } from './references';

export type { SqlDialect } from './references';

export const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Options of a multi-select; more is a table, not an input. */
export const MAX_LIST = 1000;
const MAX_TEXT = 10_000;

/** `yyyy-mm-dd`, a day that exists. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Dates are written yyyy-mm-dd.')
  .refine((s) => {
    const day = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(s);
  }, 'That day does not exist.');
export const InputText = z
  .string()
  .max(MAX_TEXT)
  .refine((s) => !s.includes('\u0000'), 'Text may not contain a NUL character.');
const Num = z.number().refine(Number.isFinite, 'Numbers must be finite.');

/** An input's current value, typed. `null` is an input left empty; it binds SQL NULL of its type. */
export const InputValueSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), value: InputText.nullable() }),
  z.object({ type: z.literal('number'), value: Num.nullable() }),
  z.object({ type: z.literal('boolean'), value: z.boolean().nullable() }),
  z.object({ type: z.literal('date'), value: IsoDate.nullable() }),
  z.object({ type: z.literal('date_range'), start: IsoDate.nullable(), end: IsoDate.nullable() }),
  z.object({ type: z.literal('text_list'), value: z.array(InputText).max(MAX_LIST) }),
  z.object({ type: z.literal('number_list'), value: z.array(Num).max(MAX_LIST) })
]);
export type InputValue = z.infer<typeof InputValueSchema>;

/** The inputs a query may bind, by name. */
export const InputValuesSchema = z
  .record(z.string().regex(INPUT_NAME), InputValueSchema)
  .refine((r) => Object.keys(r).length <= 200, 'At most 200 inputs.');
export type InputValues = z.infer<typeof InputValuesSchema>;

/** What the drivers are handed; lists are already in the engine's form (see above). */
export type BoundValue = string | number | boolean | null;

export type CompiledQuery = {
  sql: string;
  params: BoundValue[];
  /** Where a 0-based offset into the compiled text was in the query as written (error positions). */
  sourceOffset: (offset: number) => number;
};

export type ParameterProblem = 'unknown' | 'field' | 'quoted' | 'placeholder';

/**
 * A query's use of inputs that cannot be compiled; `position` is 1-based in the query as written, and `length` the
 * characters from there that are wrong (the whole `{{…}}`, or the placeholder).
 */
export class ParameterError extends Error {
  constructor(
    readonly problem: ParameterProblem,
    message: string,
    readonly position: number,
    readonly input: string | null = null,
    readonly length = 1
  ) {
    super(message);
    this.name = 'ParameterError';
  }
}

type Options = {
  /**
   * Text for the n-th distinct parameter (1-based) instead of `$n`, for PostgreSQL statements that cannot take
   * parameters (COPY); the casts still follow it.
   */
  placeholder?: (n: number) => string;
};

/**
 * `sql` with each `{{name}}` outside strings and comments replaced by `dialect`'s placeholder, and the values to
 * bind. A query without references comes back as it was, with no parameters.
 */
export function compileParameters(
  sql: string,
  dialect: SqlDialect,
  values: InputValues,
  options: Options = {}
): CompiledQuery {
  const scan = scanSql(sql, dialect);
  const byName = new Map(Object.entries(values).map(([k, v]) => [k.toLowerCase(), { name: k, value: v }]));
  const shapes = Object.entries(values).map(([name, v]) => ({ name, dateRange: v.type === 'date_range' }));
  const [problem] = problemsIn(scan, dialect, shapes);
  if (problem) throw problem;
  if (scan.inputs.length === 0) return { sql, params: [], sourceOffset: (o) => o };
  const params: BoundValue[] = [];
  const numbered = new Map<string, number>(); // "name.field" → its $n (DuckDB, PostgreSQL)
  const place = (key: string, value: BoundValue): string => {
    // postgres.js sends text as it is; PostgreSQL reads it as the type the SQL gives the placeholder.
    const bound = dialect === 'postgres' && value !== null ? String(value) : value;
    if (dialect === 'mysql') {
      params.push(bound);
      return '?';
    }
    let n = numbered.get(key);
    if (n === undefined) {
      params.push(bound);
      n = params.length;
      numbered.set(key, n);
    }
    return options.placeholder?.(n) ?? `$${n}`;
  };
  const pieces: string[] = [];
  /** Each replacement: where it is in the compiled text, and where its reference was. */
  const moved: { from: number; to: number; source: number; sourceEnd: number }[] = [];
  let last = 0;
  let length = 0;
  for (const ref of scan.inputs) {
    const text = placeholderFor(ref, byName, dialect, place);
    const before = sql.slice(last, ref.start);
    pieces.push(before, text);
    length += before.length;
    moved.push({ from: length, to: length + text.length, source: ref.start, sourceEnd: ref.end });
    length += text.length;
    last = ref.end;
  }
  pieces.push(sql.slice(last));
  return {
    sql: pieces.join(''),
    params,
    sourceOffset(offset) {
      // Inside a replacement: its reference. After one: shifted by the difference in length.
      let shift = 0;
      for (const m of moved) {
        if (offset < m.from) break;
        if (offset < m.to) return m.source;
        shift = m.sourceEnd - m.to;
      }
      return offset + shift;
    }
  };
}

/** What checking a query's references needs to know of an input: its name, and whether it has parts. */
export type InputShape = { name: string; dateRange: boolean };

/**
 * Every problem with how `sql` refers to `inputs`, in the order compileParameters meets them (it throws the first):
 * known inputs inside quotes, the engine's own placeholders beside references, then unknown names and wrong parts,
 * in order of appearance. The SQL editor underlines these as people type, so what it says is what a run would say.
 */
export function checkReferences(
  sql: string,
  dialect: SqlDialect,
  inputs: readonly InputShape[]
): ParameterError[] {
  return problemsIn(scanSql(sql, dialect), dialect, inputs);
}

function problemsIn(scan: SqlScan, dialect: SqlDialect, inputs: readonly InputShape[]): ParameterError[] {
  const byName = new Map(inputs.map((i) => [i.name.toLowerCase(), i]));
  const problems: ParameterError[] = [];
  for (const q of scan.quotedInputs) {
    const known = byName.get(q.name.toLowerCase());
    if (known) problems.push(quotedError(q, known.name, dialect));
  }
  if (scan.inputs.length === 0) return problems;
  // PostgreSQL's `?` is an operator (jsonb), MySQL's `$1` no placeholder; the rest would take our values.
  for (const p of scan.placeholders) {
    if (dialect !== 'duckdb' && (p.text === '?') !== (dialect === 'mysql')) continue;
    problems.push(
      new ParameterError(
        'placeholder',
        `This query binds inputs with {{…}}, so it cannot also use the placeholder ${p.text}: write {{name}} for each value.`,
        p.start + 1,
        null,
        p.text.length
      )
    );
  }
  const names = inputs.map((i) => i.name);
  for (const ref of scan.inputs) {
    const problem = referenceProblem(ref, byName.get(ref.name.toLowerCase()), names);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Why `ref` cannot be bound to `input` (undefined: no input of that name), or null when it can. */
function referenceProblem(
  ref: InputReference,
  input: InputShape | undefined,
  names: string[]
): ParameterError | null {
  if (!input) return unknownError(ref, names);
  const name = input.name;
  const problem = (message: string) =>
    new ParameterError('field', message, ref.start + 1, name, ref.end - ref.start);
  if (input.dateRange) {
    if (ref.field === 'start' || ref.field === 'end') return null;
    return problem(
      ref.field
        ? `${name} is a date range: write {{${name}.start}} or {{${name}.end}}, not .${ref.field}.`
        : `${name} is a date range, two dates: write {{${name}.start}} and {{${name}.end}}.`
    );
  }
  return ref.field
    ? problem(`${name} is not a date range; only date ranges have parts (.start, .end). Write {{${name}}}.`)
    : null;
}

/**
 * PostgreSQL text compiled above with each of its `$n` (outside strings and comments: compiling refused any of
 * the user's own) replaced by `expr(n)`.
 */
export function replacePlaceholders(sql: string, expr: (n: number) => string): string {
  let out = '';
  let last = 0;
  for (const p of scanSql(sql, 'postgres').placeholders) {
    if (p.text === '?') continue;
    out += sql.slice(last, p.start) + expr(Number(p.text.slice(1)));
    last = p.start + p.text.length;
  }
  return out + sql.slice(last);
}

type Place = (key: string, value: BoundValue) => string;

function placeholderFor(
  ref: InputReference,
  byName: Map<string, { name: string; value: InputValue }>,
  dialect: SqlDialect,
  place: Place
): string {
  // checkReferences refused unknown names and wrong parts before anything is placed.
  const found = byName.get(ref.name.toLowerCase());
  if (!found) throw new Error(`Unchecked reference to ${ref.name}`);
  const { name, value } = found;
  const key = name.toLowerCase();
  if (value.type === 'date_range') {
    if (ref.field !== 'start' && ref.field !== 'end') throw new Error(`Unchecked part of ${name}`);
    return typed(dialect, 'date', place(`${key}.${ref.field}`, value[ref.field]));
  }
  switch (value.type) {
    case 'text':
      return place(key, value.value);
    case 'boolean':
      return typed(dialect, 'boolean', place(key, value.value));
    case 'date':
      return typed(dialect, 'date', place(key, value.value));
    case 'number':
      return typed(dialect, numberType(value.value === null ? [] : [value.value]), place(key, value.value));
    case 'text_list':
    case 'number_list':
      return list(dialect, key, value, place);
  }
}

type SqlType = 'boolean' | 'date' | 'integer' | 'decimal';

const numberType = (xs: number[]): SqlType =>
  xs.length > 0 && xs.every(Number.isSafeInteger) ? 'integer' : 'decimal';

const CASTS: Record<SqlDialect, Record<SqlType, (p: string) => string>> = {
  duckdb: {
    boolean: (p) => `CAST(${p} AS BOOLEAN)`,
    date: (p) => `CAST(${p} AS DATE)`,
    integer: (p) => `CAST(${p} AS BIGINT)`,
    decimal: (p) => `CAST(${p} AS DOUBLE)`
  },
  postgres: {
    boolean: (p) => `${p}::boolean`,
    date: (p) => `${p}::date`,
    integer: (p) => `${p}::int8`,
    decimal: (p) => `${p}::numeric`
  },
  // MySQL's binary protocol sends numbers as DOUBLE (integers are cast back) and booleans as TINYINT; its
  // DECIMAL cast would round.
  mysql: {
    boolean: (p) => p,
    date: (p) => `cast(${p} as date)`,
    integer: (p) => `cast(${p} as signed)`,
    decimal: (p) => p
  }
};

const typed = (dialect: SqlDialect, type: SqlType, p: string) => CASTS[dialect][type](p);

function list(
  dialect: SqlDialect,
  key: string,
  value: Extract<InputValue, { type: 'text_list' | 'number_list' }>,
  place: Place
): string {
  const xs: (string | number)[] = value.value;
  const numbers = value.type === 'number_list';
  const type = numbers ? numberType(value.value) : null;
  if (dialect === 'postgres') {
    // One parameter, an array literal: text in a bound value, so nothing in it is SQL.
    const p = place(key, pgArray(xs));
    return type === 'integer' ? `${p}::int8[]` : type === 'decimal' ? `${p}::numeric[]` : p;
  }
  if (dialect === 'mysql') {
    if (xs.length === 0) return 'select null from dual where 1 = 0';
    return xs.map((x) => place(key, x)).join(', ');
  }
  const element = (p: string) => (type ? typed(dialect, type, p) : `CAST(${p} AS VARCHAR)`);
  if (xs.length === 0) return `CAST([] AS ${type === 'integer' ? 'BIGINT' : type ? 'DOUBLE' : 'VARCHAR'}[])`;
  return `[${xs.map((x, i) => element(place(`${key}[${i}]`, x))).join(', ')}]`;
}

/** A PostgreSQL array literal of `xs`, every element quoted (`{"a","b \"c\""}`). */
function pgArray(xs: (string | number)[]): string {
  return `{${xs.map((x) => `"${String(x).replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

function unknownError(ref: InputReference, names: string[]): ParameterError {
  const near = closest(ref.name, names);
  return new ParameterError(
    'unknown',
    `There is no input named ${ref.name}${near ? ` — did you mean ${near}?` : '.'}`,
    ref.start + 1,
    ref.name,
    ref.end - ref.start
  );
}

function quotedError(q: InputReference, name: string, dialect: SqlDialect): ParameterError {
  const ref = q.field ? `{{${name}.${q.field}}}` : `{{${name}}}`;
  const joined = dialect === 'mysql' ? `concat('…', ${ref}, '…')` : `'…' || ${ref} || '…'`;
  return new ParameterError(
    'quoted',
    `${ref} is inside quotes, so it is text, not the input's value. Write ${ref} without quotes (it is passed as a ` +
      `typed value); to put it inside other text, join them: ${joined}.`,
    q.start + 1,
    name,
    q.end - q.start
  );
}

/** The name within two edits of `name` (case-insensitive), if one is. */
function closest(name: string, names: string[]): string | null {
  let best: { name: string; d: number } | null = null;
  for (const c of names) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { name: c, d };
  }
  return best?.name ?? null;
}

/** Edit distance, adjacent swaps counting one ("regoin" → "region"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
