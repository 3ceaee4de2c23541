// What the notebook and each cell it shows ask of each other.
import type { ReportCell } from '$lib/export/report';

/** What the notebook can ask of a cell. */
export type CellApi = {
  focusEditor: () => void;
  focusCell: () => void;
  run: () => Promise<void>;
  /** The cell as it should appear in the static HTML report. */
  report: () => Promise<ReportCell>;
};

/** What a cell's frame asks of the notebook: selection, keys, and changes to the list of cells. */
export type CellActions = {
  /** The cell got the focus. */
  select: () => void;
  /** A key pressed on the cell itself (command mode). */
  command: (e: KeyboardEvent) => void;
  /** Shift+Enter: run the cell, go on to the next one. */
  advance: () => void;
  move: (to: number) => void;
  remove: () => void;
  setKind: (kind: string) => void;
  /** False when the name is not a valid, unused result name. */
  rename: (name: string) => boolean;
  dragStart: (e: DragEvent) => void;
};
