// Small SQL text helpers for running cells.

export { ident, literal } from '$cells/sql/quote';

/** The query without trailing semicolons, so it can be wrapped in CREATE TABLE … AS. */
export function cleanQuery(sql: string): string {
  return sql.trim().replace(/(;\s*)+$/, '');
}

/** DuckDB's message without its "Error:" prefix and the position of our own wrapper. */
export function readableError(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  return raw.replace(/^[A-Za-z ]*Error: /, '').trim();
}
