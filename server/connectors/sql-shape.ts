// Just enough of a query's shape to choose how to run it; the database does the real parsing.

/** The query without trailing semicolons and whitespace (a wrapped query cannot end in one). */
export function withoutTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

/** The first keyword, after comments, whitespace and opening parentheses, in lower case. */
export function leadingKeyword(sql: string): string {
  let i = 0;
  for (;;) {
    while (i < sql.length && /[\s(]/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      // PostgreSQL's block comments nest.
      let depth = 0;
      do {
        if (sql.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0 && i < sql.length);
    } else break;
  }
  return /^[A-Za-z]+/.exec(sql.slice(i))?.[0]?.toLowerCase() ?? '';
}
