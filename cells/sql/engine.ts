// Where a SQL cell runs: 'local' (DuckDB-WASM in the browser) or the id of a connected database.
import type * as Y from 'yjs';
import { orderedCells } from '../document';

export const LOCAL_ENGINE = 'local';

/** A SQL cell's engine from its config; anything unset or not a string is the browser's. */
export function sqlEngine(config: Y.Map<unknown>): string {
  const engine = config.get('engine');
  return typeof engine === 'string' && engine ? engine : LOCAL_ENGINE;
}

/** Whether the notebook has a SQL cell that runs in the browser, i.e. whether opening it may need DuckDB-WASM. */
export function hasLocalSql(doc: Y.Doc): boolean {
  return orderedCells(doc).some((c) => c.kind === 'sql' && sqlEngine(c.config) === LOCAL_ENGINE);
}
