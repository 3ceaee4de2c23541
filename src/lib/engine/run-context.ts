// What a SQL cell needs from its notebook to run: the tables it may read and where their data lives.
import type { TableSource } from './engine';

export type RunContext = {
  notebookId: string;
  /** Uploaded files and earlier cells' stored results. */
  sources: (cellId: string) => TableSource[];
  /** Resolves once the notebook knows the workspace's files, so `sources` lists them (a Run pressed while the page
   * is still loading would otherwise not find them). */
  ready: () => Promise<void>;
  /** Run ids of the upstream results `sql` reads, by name (recorded with the run, for staleness). */
  inputs: (cellId: string, sql: string) => Record<string, string>;
};
