// The browser part of a cell kind, as cells/<kind>/ui/index.ts exports it (`export const ui: CellKindUi`). The
// shared part (config, defaults, labels, what the assistant sees) is the kind's CellKind in cells/types.ts; this
// part is Svelte and DOM, so only the browser loads it (cells/ui-registry.ts), never the server.
import type { Component } from 'svelte';
import type { Cell } from './document';
import type { ReportCell } from '$lib/export/report';

/** What a cell's body tells the frame around it, once mounted. */
export type CellBodyApi = {
  /** Puts the keyboard in the cell's editor (a text cell first switches from its rendered view to editing). */
  focus(): void;
  /** Runs the cell: a query, a request to the assistant. Kinds that do not run leave it out. */
  run?(): Promise<void>;
  /** The keyboard left the cell (for a text cell: show the markdown again). */
  leave?(): void;
  /** The cell in the static HTML report, as it shows now (a SQL cell's result, a chart's drawing). */
  report(): Promise<ReportCell>;
};

/** What the frame hands a kind's body. The rest (readOnly, awareness, the engine, other cells' results) is in the
 * notebook context ($lib/components/notebook/notebook-context.ts). */
export type CellBodyProps = {
  cell: Cell;
  /** What an empty editor says: the kind's placeholder, '' for viewers. */
  placeholder: string;
  /** Shift+Enter in the editor: run the cell and go on to the next one. */
  onAdvance: () => void;
  /** Esc in the editor: back to the cell itself (command mode). */
  onEscape: () => void;
  register: (body: CellBodyApi) => void;
};

/** Items a kind adds to the cell's toolbar, after its name (a SQL cell's engine picker). */
export type CellToolbarProps = { cell: Cell };

export interface CellKindUi {
  /** The kind's name, as its CellKind says (and its folder is called). */
  kind: string;
  /** Everything under the toolbar: the editor, the runner, the result, a chart. */
  body: Component<CellBodyProps>;
  toolbar?: Component<CellToolbarProps>;
  /** Shown to editors in an empty editor. */
  placeholder: string;
}
