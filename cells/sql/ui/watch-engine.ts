// Where a SQL cell runs lives in its shared config, so co-editors see the choice; components follow it live.
import type { Cell } from '$cells/document';
import { sqlEngine } from '$cells/sql/engine';

/** Calls `set` with the cell's engine now and whenever its config changes; returns the unsubscribe (for an
 * $effect). */
export function watchEngine(cell: Cell, set: (engineId: string) => void): () => void {
  const config = cell.config;
  const read = () => set(sqlEngine(cell));
  read();
  config.observe(read);
  return () => config.unobserve(read);
}
