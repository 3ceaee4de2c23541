// Which row groups of a Parquet file a scan can skip. DuckDB's plan lists the filters it pushed into a scan
// ("id>=100 AND id<=200", "d>='2020-01-01'::DATE"); the simple ones (a column compared with a constant) are read
// here and checked against each row group's min/max. Anything not understood keeps the row group: skipping one
// that has matching rows would give a wrong answer, reading one too many only costs bytes.
import { ident } from '$cells/sql/quote';

export type Op = '=' | '<' | '<=' | '>' | '>=';
export type Literal =
  { kind: 'number'; text: string } | { kind: 'string'; text: string; cast: string | null };
export type Comparison = { column: string; op: Op; value: Literal };

/** Splits `text` on top-level " AND ", outside quotes and parentheses. */
export function splitConjuncts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) {
        if (text[i + 1] === quote) i++;
        else quote = null;
      }
      continue;
    }
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && text.startsWith(' AND ', i)) {
      parts.push(text.slice(start, i));
      start = i + 5;
      i += 4;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

const REST = /^\s*(<=|>=|=|<|>)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|'(?:[^']|'')*')(?:::([A-Z ]+))?\s*$/;

/**
 * One conjunct as a comparison of one of `columns` with a constant, or null when it is anything else. DuckDB
 * prints column names as they are, spaces and all, so names are matched against the table's, longest first.
 */
export function parseComparison(text: string, columns: string[]): Comparison | null {
  let t = text.trim();
  if (t.startsWith('(') && t.endsWith(')')) t = t.slice(1, -1).trim();
  const names = [...columns].sort((a, b) => b.length - a.length);
  for (const column of names) {
    const quoted = ident(column);
    const prefix = t.startsWith(quoted) ? quoted : t.startsWith(column) ? column : null;
    if (!prefix) continue;
    const m = REST.exec(t.slice(prefix.length));
    if (!m) continue;
    const raw = m[2]!;
    const value: Literal = raw.startsWith("'")
      ? { kind: 'string', text: raw.slice(1, -1).replace(/''/g, "'"), cast: m[3]?.trim() ?? null }
      : { kind: 'number', text: raw };
    return { column, op: m[1] as Op, value };
  }
  return null;
}

/** How a column's statistics compare: the caller turns both the literal and the min/max into this. */
export type Comparable = number | bigint | string;

/**
 * False when no row of a group with values in [min, max] can satisfy `op value`. Values of different JS types
 * are never compared (the caller converts both sides the same way or gives up).
 */
export function mayMatch(op: Op, value: Comparable, min: Comparable, max: Comparable): boolean {
  if (typeof value !== typeof min || typeof value !== typeof max) return true;
  switch (op) {
    case '=':
      return !(value < min || value > max);
    case '<':
      return min < value;
    case '<=':
      return min <= value;
    case '>':
      return max > value;
    case '>=':
      return max >= value;
  }
}

/** The filters of one scan, as DuckDB's plan gives them (a string or a list of strings). */
export function comparisonsOf(
  filters: unknown,
  columns: string[]
): { comparisons: Comparison[]; text: string } {
  const list = Array.isArray(filters) ? filters.map(String) : filters ? [String(filters)] : [];
  const comparisons: Comparison[] = [];
  for (const f of list) {
    for (const part of splitConjuncts(f)) {
      const c = parseComparison(part, columns);
      if (c) comparisons.push(c);
    }
  }
  return { comparisons, text: list.join(' AND ') };
}
