// Where a SQL cell runs, read one way everywhere (the browser, the assistant, publishing, forks): 'local'
// (DuckDB: in the browser, or the server's workbench for dashboards) or the id of a connection. A missing, empty
// or non-text value is 'local' — any client can write the config, and a cell that says nothing runs locally.
import type * as Y from 'yjs';

export const LOCAL_ENGINE = 'local';

type ConfigLike = Y.Map<unknown> | Record<string, unknown>;

/** A shared Y.Map or its plain JSON (a plain config never holds a function). */
const read = (config: ConfigLike, key: string): unknown =>
  typeof (config as { get?: unknown }).get === 'function'
    ? (config as Y.Map<unknown>).get(key)
    : (config as Record<string, unknown>)[key];

export function sqlEngine(cell: { config: ConfigLike }): string {
  const engine = read(cell.config, 'engine');
  return typeof engine === 'string' && engine.trim() !== '' ? engine : LOCAL_ENGINE;
}

export const runsLocally = (cell: { config: ConfigLike }): boolean => sqlEngine(cell) === LOCAL_ENGINE;
