// Quoting for SQL we write ourselves (DuckDB and PostgreSQL rules), shared by the browser and the server.

/** A double-quoted SQL identifier. */
export const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A single-quoted SQL string literal. */
export const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
