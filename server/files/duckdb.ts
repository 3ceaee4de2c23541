// The server's DuckDB (native, in-process): file conversion now, scheduled dashboard refreshes later.
import { DuckDBInstance } from '@duckdb/node-api';

const KEY = Symbol.for('sheaf.duckdb');
type Holder = typeof globalThis & { [KEY]?: Promise<DuckDBInstance> };

export function duckdb(): Promise<DuckDBInstance> {
  const g = globalThis as Holder;
  // External access stays on (it reads our files by path); uploaded SQL never runs here, only ours.
  g[KEY] ??= DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
  return g[KEY];
}

// Paths come from our own store, but quoting stays correct whatever they contain.
export { ident, literal } from '../../cells/sql/quote';
