// Which columns of a base table a dashboard's re-run queries may read, so viewers download only those (issue 21).
// Read from the SQL's tokens, conservatively: a column is kept when its name appears anywhere as an identifier
// (in any of the queries), and every column is kept whenever something could expand over all of them — a star
// (`select *`, `t.*`, `* exclude (…)`), `columns(…)`, a FROM-first query (`from t where …`), a natural join, a
// pivot, a column-renaming alias (`t as x(a, b)`), or the table used as a value (`select t from t`, a whole row).
// Keeping a column too many costs bytes; dropping one a query reads would change its answer, so when in doubt
// all stay. The publish side checks the result binds in DuckDB anyway (server/publish/interactive-tables.ts).

export type Token = { kind: 'name' | 'quoted' | 'punct' | 'other'; text: string };

/** Tokens of DuckDB SQL outside strings and comments; names lower-cased (quoted ones unquoted). */
export function sqlTokens(sql: string): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'") {
      i = closeQuote(sql, i, "'", /[eE]/.test(sql[i - 1] ?? ''));
      out.push({ kind: 'other', text: "'" });
    } else if (c === '"') {
      const end = closeQuote(sql, i, '"', false);
      out.push({
        kind: 'quoted',
        text: sql
          .slice(i + 1, end - 1)
          .split('""')
          .join('"')
          .toLowerCase()
      });
      i = end;
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(sql.slice(i, i + 65))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 65))![0];
      const close = sql.indexOf(tag, i + tag.length);
      i = close === -1 ? n : close + tag.length;
      out.push({ kind: 'other', text: "'" });
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === '{' && sql[i + 1] === '{') {
      const end = sql.indexOf('}}', i + 2);
      i = end === -1 ? n : end + 2;
      out.push({ kind: 'other', text: '{{}}' }); // an input's value: a parameter, like a literal
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      out.push({ kind: 'name', text: sql.slice(i, j).toLowerCase() });
      i = j;
    } else if (/[0-9]/.test(c)) {
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i]!)) i++;
      out.push({ kind: 'other', text: '0' });
    } else if (/\s/.test(c)) {
      i++;
    } else {
      out.push({ kind: 'punct', text: c });
      i++;
    }
  }
  return out;
}

function closeQuote(sql: string, start: number, quote: string, backslash: boolean): number {
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

/** Words after which `(` opens a subquery or a list rather than a function's arguments. */
const NOT_CALLS = new Set(
  'from join in exists as on where and or not select lateral union intersect except all any some with values using then else when case by having'.split(
    ' '
  )
);
/** Words that may follow a table in FROM without being its alias. */
const CLAUSE_WORDS = new Set(
  'where group order limit offset having qualify window join left right inner outer full cross natural positional asof anti semi on using union intersect except as tablesample using pivot unpivot lateral returning select from'.split(
    ' '
  )
);
/** Words that expand over every column of what they read. */
const ALL_COLUMN_WORDS = new Set(['columns', 'natural', 'pivot', 'unpivot', 'summarize', 'describe']);

const isName = (t: Token | undefined) => t?.kind === 'name' || t?.kind === 'quoted';

/** Whether `sql` may read every column of `table` (lower-cased), or only those it names. */
export function readsAllColumns(sql: string, table: string): boolean {
  const tokens = sqlTokens(sql);
  const aliases = new Set([table]);
  /** Positions of the table's (and its aliases') declarations in FROM clauses: those do not read a whole row. */
  const declared = new Set<number>();
  // Per parenthesis depth: whether it is a function's arguments, and whether its query has a SELECT yet.
  const call: boolean[] = [false];
  const selected: boolean[] = [false];
  let clause: string[] = [''];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    const depth = call.length - 1;
    if (t.kind === 'punct') {
      if (t.text === '(') {
        call.push(prev?.kind === 'name' && !NOT_CALLS.has(prev.text));
        selected.push(false);
        clause = [...clause, ''];
      } else if (t.text === ')' && depth > 0) {
        call.pop();
        selected.pop();
        clause = clause.slice(0, -1);
      } else if (t.text === '#') {
        return true; // `#2`: a column by position, whichever it is
      } else if (t.text === ';') {
        selected[depth] = false;
      } else if (t.text === '*') {
        // `a * b` multiplies; after SELECT, a comma, a dot or an opening parenthesis (except count's) it expands.
        const after = prev?.kind === 'punct' && (prev.text === ',' || prev.text === '.' || prev.text === '(');
        const countStar = prev?.text === '(' && tokens[i - 2]?.text === 'count';
        const keyword = prev?.kind === 'name' && ['select', 'distinct', 'all', 'by'].includes(prev.text);
        if (!prev || keyword || (after && !countStar)) return true;
      }
      continue;
    }
    if (t.kind === 'name') {
      if (ALL_COLUMN_WORDS.has(t.text)) return true;
      if (['union', 'intersect', 'except'].includes(t.text)) selected[depth] = false;
      if (t.text === 'select') selected[depth] = true;
      if (t.text === 'from' && !call[depth] && prev?.text !== 'distinct' && !selected[depth]) return true;
      if (
        ['select', 'from', 'where', 'group', 'having', 'order', 'limit', 'qualify', 'on', 'using'].includes(
          t.text
        )
      )
        clause[depth] = t.text;
      if (t.text === 'join') clause[depth] = 'from';
    }
    if (!isName(t) || t.text !== table) continue;
    const inFrom =
      clause[depth] === 'from' &&
      (prev?.text === 'from' || prev?.text === 'join' || prev?.text === ',') &&
      tokens[i + 1]?.text !== '.' &&
      tokens[i + 1]?.text !== '(';
    if (!inFrom) continue;
    declared.add(i);
    // Its alias, if any: `sales s`, `sales as s`; `s(a, b)` renames columns by position.
    let j = i + 1;
    if (tokens[j]?.kind === 'name' && tokens[j]?.text === 'as') j++;
    const alias = tokens[j];
    if (isName(alias) && !(alias!.kind === 'name' && CLAUSE_WORDS.has(alias!.text))) {
      declared.add(j);
      aliases.add(alias!.text);
      if (tokens[j + 1]?.text === '(') return true;
    }
  }
  // An alias may be used before it is declared (`select s.a from sales s`): uses are checked once all are known.
  // A qualifier (`s.amount`) reads a column; the name on its own is the whole row (or a same-named column, which
  // keeping everything also covers).
  return tokens.some(
    (t, i) => isName(t) && aliases.has(t.text) && !declared.has(i) && tokens[i + 1]?.text !== '.'
  );
}

/**
 * The columns of `table` that `queries` (the re-run queries that read it) may use, in the table's order: all of
 * them when any query may read every column, else those whose names appear in any query.
 */
export function columnsToKeep<C extends { name: string }>(
  queries: readonly string[],
  table: string,
  columns: readonly C[]
): C[] {
  const name = table.toLowerCase();
  if (queries.some((sql) => readsAllColumns(sql, name))) return [...columns];
  const named = new Set<string>();
  for (const sql of queries) for (const t of sqlTokens(sql)) if (isName(t)) named.add(t.text);
  return columns.filter((c) => named.has(c.name.toLowerCase()));
}
