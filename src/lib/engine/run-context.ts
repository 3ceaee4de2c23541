// What a cell needs from its notebook to run and to read others' results: the tables it may read and where their
// data lives, the SQL cells above it, and whether its result is stale. Keyed by cell id; reading a function
// inside a component's $derived follows the notebook's changes.
import type { InputValues } from '$cells/sql/parameters';
import type { SqlCellState } from '$cells/sql/staleness';
import type { TableSource } from './engine';

export type RunContext = {
  notebookId: string;
  /** Uploaded files and earlier cells' stored results. */
  sources: (cellId: string) => TableSource[];
  /** Resolves once the notebook knows the workspace's files, so `sources` lists them (a Run pressed while the page
   * is still loading would otherwise not find them). */
  ready: () => Promise<void>;
  /** Run ids of the upstream results `sql` reads, and hashes (`v:…`) of the inputs it binds, by name (recorded
   * with the run, for staleness). */
  inputs: (cellId: string, sql: string) => Record<string, string>;
  /** The values of the inputs `sql` references ({{name}}), typed for binding, as this person sees them. */
  bound: (sql: string) => InputValues;
  /** SQL cells above the cell (of any kind), in order: the results it may read (a chart draws one). */
  earlier: (cellId: string) => SqlCellState[];
  /** Why the SQL cell's result is stale (what changed upstream), or null when it is not. */
  stale: (cellId: string) => string | null;
  /** A viewer's own run of the cell finished: its result, in the engine under the cell's name, is what later cells
   * and charts in this browser read instead of the shared one. */
  ranForMe: (cellId: string, runId: string) => void;
  /** The run id of this viewer's own result of the cell, if they ran it themselves (reactive). */
  forMe: (cellId: string) => string | undefined;
};
