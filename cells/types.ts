// The shape of a cell kind. This part is plain TypeScript so the server can use it too; each kind's browser part
// (cells/<kind>/ui/, shaped as ui-types.ts says) is found by ui-registry.ts, which only the browser loads.
import type * as Y from 'yjs';
import type { z } from 'zod';
import type { ItemView } from './layout';

export type EditorLanguage = 'sql' | 'markdown' | 'json' | 'plain';

/** A cell as plain values, for hooks that only read it (labels, the assistant's context). See viewOf. */
export type CellView = {
  id: string;
  kind: string;
  name: string;
  source: string;
  config: Record<string, unknown>;
  run: Record<string, unknown>;
};

export interface CellKind<Config extends Record<string, unknown> = Record<string, unknown>> {
  kind: string;
  /** Shown in the "add cell" menu. */
  label: string;
  configSchema: z.ZodType<Config>;
  defaults(): { source: string; config: Config };
  /** Language of the source editor. */
  language: EditorLanguage;
  /** Whether the cell has a result name other cells can read. */
  named: boolean;
  /** Whether the cell runs (as a query) and shows a result. */
  runnable: boolean;
  /** Names of results this cell reads. */
  dependsOn?(cell: { source: string; config: Config }): string[];
  /** A result or input this cell reads was renamed: follow it, in the shared config or source (inside the
   * rename's transaction). */
  followRename?(cell: { config: Y.Map<unknown>; source: Y.Text }, from: string, to: string): void;
  /** What it is called in lists and on dashboards: "delays_by_hour", "Chart of sales", a text's first line. */
  labelOf(cell: CellView): string;
  /** What the assistant is told about it, one short paragraph (the notebook's context, server/ai/context.ts). */
  describe(cell: CellView): string;
  /** The views it offers on a dashboard, the default first; none keeps it off dashboards. */
  dashboardViews: readonly ItemView[];
}
