// The shape of a cell kind. This part is plain TypeScript so the server can use it too; each kind's Svelte
// components are listed separately in ui.ts, which only the browser loads.
import type * as Y from 'yjs';
import type { z } from 'zod';

export type EditorLanguage = 'sql' | 'markdown' | 'json' | 'plain';

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
  /** A result this cell reads was renamed: follow it (the config map is the shared one, inside a transaction). */
  followRename?(config: Y.Map<unknown>, from: string, to: string): void;
}
