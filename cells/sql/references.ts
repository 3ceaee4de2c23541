// Which names a query mentions: the tables it may read, and the inputs (`{{name}}`) it binds. Used to find a SQL
// cell's upstream cells, the uploaded files a run needs, and where parameters go (parameters.ts). One scanner
// for all of it, so that "outside strings and comments" means the same everywhere. Table names are a deliberate
// over-approximation: every identifier outside strings and comments counts, so a column that shares a cell's
// name also counts — a spurious "stale" is cheap, a missed one is not.

/** How the text is read: MySQL has backslash escapes in strings and `#` comments; the others have `$$` strings. */
export type SqlDialect = 'duckdb' | 'postgres' | 'mysql';

/** `{{name}}` or `{{name.field}}` at [start, end) of the text (offsets into the SQL, 0-based). */
export type InputReference = { name: string; field: string | null; start: number; end: number };

export type SqlScan = {
  /** Lower-cased identifiers (quoted ones unquoted). */
  names: Set<string>;
  /** `{{…}}` outside strings, quoted identifiers and comments: parameters. */
  inputs: InputReference[];
  /** `{{…}}` inside a string literal: text, not a parameter (a likely mistake, see parameters.ts). */
  quotedInputs: InputReference[];
  /** The engines' own placeholders already in the text (`?`, `$1`), outside strings and comments. */
  placeholders: { text: string; start: number }[];
};

const REFERENCE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\s*\}\}/y;
const REFERENCE_ANYWHERE = new RegExp(REFERENCE.source, 'g');
/** A dollar-quote opener (`$$`, `$tag$`); `$1` is a parameter, not a tag (tags cannot start with a digit). */
const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;

/** Walks `sql` once, skipping string literals, quoted identifiers and comments as `dialect` reads them. */
export function scanSql(sql: string, dialect: SqlDialect = 'duckdb'): SqlScan {
  const out: SqlScan = { names: new Set(), inputs: [], quotedInputs: [], placeholders: [] };
  const n = sql.length;
  const quotedIn = (from: number, to: number) => {
    for (const m of sql.slice(from, to).matchAll(REFERENCE_ANYWHERE)) {
      const start = from + m.index;
      out.quotedInputs.push({ name: m[1]!, field: m[2] ?? null, start, end: start + m[0].length });
    }
  };
  let i = 0;
  let m: RegExpExecArray | null;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'") {
      // E'…' (PostgreSQL, DuckDB) and every MySQL string take backslash escapes.
      const escapes =
        dialect === 'mysql' || (/[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_$]/.test(sql[i - 2] ?? ''));
      const end = skipQuoted(sql, i, "'", escapes);
      quotedIn(i + 1, end);
      i = end;
    } else if (c === '"' || (c === '`' && dialect === 'mysql')) {
      // MySQL's "…" is a string by default; taking it as a name only over-approximates.
      const end = skipQuoted(sql, i, c, dialect === 'mysql');
      if (c === '"' && dialect === 'mysql') quotedIn(i + 1, end);
      out.names.add(
        sql
          .slice(i + 1, end - 1)
          .split(c + c)
          .join(c)
          .toLowerCase()
      );
      i = end;
    } else if (c === '$' && dialect !== 'mysql' && (m = stickyAt(DOLLAR_TAG, sql, i))) {
      const tag = m[0];
      const close = sql.indexOf(tag, i + tag.length);
      quotedIn(i + tag.length, close === -1 ? n : close);
      i = close === -1 ? n : close + tag.length;
    } else if ((c === '-' && sql[i + 1] === '-') || (c === '#' && dialect === 'mysql')) {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === '{' && sql[i + 1] === '{' && (m = stickyAt(REFERENCE, sql, i))) {
      out.inputs.push({ name: m[1]!, field: m[2] ?? null, start: i, end: i + m[0].length });
      i += m[0].length;
    } else if (c === '?') {
      out.placeholders.push({ text: '?', start: i });
      i++;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      let j = i + 1;
      while (j < n && /[0-9]/.test(sql[j]!)) j++;
      out.placeholders.push({ text: sql.slice(i, j), start: i });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      out.names.add(sql.slice(i, j).toLowerCase());
      i = j;
    } else if (/[0-9]/.test(c)) {
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i]!)) i++; // numbers like 1e5 are not names
    } else {
      i++;
    }
  }
  return out;
}

/** `re` (sticky) matched exactly at `at`, or null. */
function stickyAt(re: RegExp, sql: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(sql);
}

/**
 * Index just past the closing quote (a doubled quote is an escaped one, and with `backslash` so is `\'`); the end
 * of the text if unclosed.
 */
function skipQuoted(sql: string, start: number, quote: string, backslash = false): number {
  let i = start + 1;
  while (i < sql.length) {
    if (backslash && sql[i] === '\\') i += 2;
    else if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Lower-cased identifiers in `sql`, skipping string literals and comments. */
export function referencedNames(sql: string): Set<string> {
  return scanSql(sql).names;
}

/** Names in `candidates` that `sql` mentions (case-insensitive), in the order given. */
export function mentioned(sql: string, candidates: string[]): string[] {
  const names = referencedNames(sql);
  return candidates.filter((c) => names.has(c.toLowerCase()));
}

/** The inputs a query binds (`{{name}}`, `{{name.start}}`), lower-cased, once each, in order of appearance. */
export function inputReferences(sql: string, dialect: SqlDialect = 'duckdb'): string[] {
  return [...new Set(scanSql(sql, dialect).inputs.map((r) => r.name.toLowerCase()))];
}
