// What a cell is called in the dashboard editor (the "Add to dashboard" list, the cards' names): each kind says
// (its label hook in cells/<kind>/kind.ts).
import { viewOf } from '$cells/cell-view';
import type { Cell } from '$cells/document';
import type { ItemView } from '$cells/layout';
import { cellKind } from '$cells/registry';

export const cellLabel = (cell: Cell): string => cellKind(cell.kind)?.labelOf(viewOf(cell)) ?? cell.kind;

/** A card's name: a result says how it shows, since it could show either way. */
export const cardLabel = (label: string, view: ItemView): string =>
  view === 'table' || view === 'number' ? `${label} (${view})` : label;
