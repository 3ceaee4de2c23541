// A cell of the shared document as plain values, for the kinds' read-only hooks (label, describe).
import type { Cell } from './document';
import type { CellView } from './types';

export const viewOf = (cell: Cell): CellView => ({
  id: cell.id,
  kind: cell.kind,
  name: cell.name,
  source: cell.source.toString(),
  config: cell.config.toJSON(),
  run: cell.run.toJSON()
});
