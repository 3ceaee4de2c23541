// What the notebook can ask of each cell it shows.
import type { ReportCell } from '$lib/export/report';

export type CellApi = {
  focusEditor: () => void;
  focusCell: () => void;
  run: () => Promise<void>;
  /** The cell as it should appear in the static HTML report. */
  report: () => Promise<ReportCell>;
};
