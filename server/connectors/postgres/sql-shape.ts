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
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else break;
  }
  return /^[A-Za-z]+/.exec(sql.slice(i))?.[0]?.toLowerCase() ?? '';
}
