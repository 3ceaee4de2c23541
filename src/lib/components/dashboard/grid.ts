// The dashboard grid's geometry, shared by the grid component, the layout editor and the published page (which
// sizes server-drawn charts with it): 12 equal columns, fixed-height rows, one gap between both.
import { GAP_PX, GRID_COLUMNS, ROW_PX, type Box } from '$cells/layout';

// Row height and gap are defined next to the layout, where the server's chart sizing reads them too.
export { GAP_PX, ROW_PX };
/** At or below this page width the grid is one column of full-width cards. */
export const NARROW_PX = 720;
/** Padding inside a card, on each side. */
export const CARD_PAD_PX = 10;
/** The editing strip on top of a card (drag handle, name, remove), only while the layout is editable. */
export const CARD_HEADER_PX = 28;

export type Size = { width: number; height: number };

/** Width of one column in a grid `gridWidth` pixels wide. */
export const columnPx = (gridWidth: number) => (gridWidth - GAP_PX * (GRID_COLUMNS - 1)) / GRID_COLUMNS;

/**
 * The pixel size of a box's card in a grid `gridWidth` pixels wide (on narrow pages, where cards are full
 * width, pass the grid's width as the box's: `{ ...box, w: GRID_COLUMNS }`).
 */
export function boxPx(box: Pick<Box, 'w' | 'h'>, gridWidth: number): Size {
  return {
    width: box.w * columnPx(gridWidth) + (box.w - 1) * GAP_PX,
    height: box.h * ROW_PX + (box.h - 1) * GAP_PX
  };
}

/** The height a card of `h` rows leaves for its content: less padding, and less the editing strip when editable. */
export const contentHeightPx = (h: number, editable: boolean) =>
  Math.max(0, h * ROW_PX + (h - 1) * GAP_PX - 2 * CARD_PAD_PX - (editable ? CARD_HEADER_PX : 0));

/** The room a card leaves for its content (see contentHeightPx), in a grid `gridWidth` pixels wide. */
export function contentPx(box: Pick<Box, 'w' | 'h'>, gridWidth: number, editable: boolean): Size {
  return {
    width: Math.max(0, boxPx(box, gridWidth).width - 2 * CARD_PAD_PX),
    height: contentHeightPx(box.h, editable)
  };
}

/** A pointer's travel in pixels as whole columns and rows, to the nearest grid line. */
export function cellsMoved(dxPx: number, dyPx: number, gridWidth: number): { dx: number; dy: number } {
  return {
    dx: Math.round(dxPx / (columnPx(gridWidth) + GAP_PX)),
    dy: Math.round(dyPx / (ROW_PX + GAP_PX))
  };
}
