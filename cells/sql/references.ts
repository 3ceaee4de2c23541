// Which names a query mentions: the tables it may read. Used to find a SQL cell's upstream cells and the
// uploaded files a run needs. A deliberate over-approximation: it lists every identifier outside strings and
// comments, so a column that shares a cell's name also counts — a spurious "stale" is cheap, a missed one is not.

/** Lower-cased identifiers in `sql`, skipping string literals and comments. */
export function referencedNames(sql: string): Set<string> {
  const names = new Set<string>();
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === "'") {
      i = skipQuoted(sql, i, "'");
    } else if (c === '"') {
      const end = skipQuoted(sql, i, '"');
      names.add(
        sql
          .slice(i + 1, end - 1)
          .replace(/""/g, '"')
          .toLowerCase()
      );
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      names.add(sql.slice(i, j).toLowerCase());
      i = j;
    } else if (/[0-9]/.test(c)) {
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i]!)) i++; // numbers like 1e5 are not names
    } else {
      i++;
    }
  }
  return names;
}

/** Index just past the closing quote (a doubled quote is an escaped one); the end of the text if unclosed. */
function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/** Names in `candidates` that `sql` mentions (case-insensitive), in the order given. */
export function mentioned(sql: string, candidates: string[]): string[] {
  const names = referencedNames(sql);
  return candidates.filter((c) => names.has(c.toLowerCase()));
}
