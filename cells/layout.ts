// The dashboard layout: which cells a published dashboard shows, and where, on a 12-column grid. Each item is a
// Y.Map in the document's `layout` array, so editors arrange the dashboard together and see each other's moves.
// The document keeps what people asked for; `arrange` turns that into positions without overlaps, the same way
// on every screen, so two people dropping cards on the same spot at once still see the same dashboard.
import * as Y from 'yjs';
import { z } from 'zod';
import { orderedCells, parts, type Cell } from './document';
import { cellKind } from './registry';

export const GRID_COLUMNS = 12;
export const MAX_ROWS_PER_ITEM = 16;
/** Cards on one dashboard (arranging is quadratic in them, on the server and in every viewer's browser). */
export const MAX_ITEMS = 100;
/** Grid geometry, shared by the browser's grid and the server's chart sizes. */
export const ROW_PX = 56;
export const GAP_PX = 12;
/** The width dashboards are laid out for (wider screens centre it). */
export const PAGE_PX = 1200;

/** A box's size in pixels on a page `pageWidth` wide. */
export function boxPixels(
  b: { w: number; h: number },
  pageWidth = PAGE_PX
): { width: number; height: number } {
  const column = (pageWidth - GAP_PX * (GRID_COLUMNS - 1)) / GRID_COLUMNS;
  return {
    width: Math.round(column * b.w + GAP_PX * (b.w - 1)),
    height: ROW_PX * b.h + GAP_PX * (b.h - 1)
  };
}

/**
 * How a cell shows on a dashboard: charts and text as themselves; a query's result as a table or a big number; an
 * input as a filter its viewers change for their own view.
 */
export const ItemViewSchema = z.enum(['chart', 'text', 'table', 'number', 'input']);
export type ItemView = z.infer<typeof ItemViewSchema>;

export const LayoutItemSchema = z.object({
  cellId: z.string().min(1).max(64),
  view: ItemViewSchema,
  x: z
    .number()
    .int()
    .min(0)
    .max(GRID_COLUMNS - 1),
  y: z.number().int().min(0).max(10_000),
  w: z.number().int().min(1).max(GRID_COLUMNS),
  h: z.number().int().min(1).max(MAX_ROWS_PER_ITEM)
});
export type LayoutItem = z.infer<typeof LayoutItemSchema>;
export type Box = Pick<LayoutItem, 'x' | 'y' | 'w' | 'h'>;

/** The views a cell can have on a dashboard, the default first (each kind says; none for prompts). */
export const viewsFor = (kind: string): readonly ItemView[] => cellKind(kind)?.dashboardViews ?? [];

const DEFAULT_SIZE: Record<ItemView, { w: number; h: number }> = {
  chart: { w: 6, h: 5 },
  text: { w: 6, h: 3 },
  table: { w: 12, h: 5 },
  number: { w: 3, h: 2 },
  input: { w: 3, h: 2 }
};

/** Keeps a box on the grid: inside the 12 columns, at least one cell big. */
export function clampBox(b: Box): Box {
  const w = Math.min(GRID_COLUMNS, Math.max(1, Math.round(b.w)));
  const h = Math.min(MAX_ROWS_PER_ITEM, Math.max(1, Math.round(b.h)));
  const x = Math.min(GRID_COLUMNS - w, Math.max(0, Math.round(b.x)));
  const y = Math.min(10_000, Math.max(0, Math.round(b.y)));
  return { x, y, w, h };
}

/** The layout as stored: valid items of cells that exist and can show that way, each cell once (first wins). */
export function readLayout(doc: Y.Doc): LayoutItem[] {
  const cells = new Map(orderedCells(doc).map((c) => [c.id, c]));
  const seen = new Set<string>();
  const out: LayoutItem[] = [];
  for (const map of parts(doc).layout.toArray()) {
    if (!(map instanceof Y.Map)) continue;
    const parsed = LayoutItemSchema.safeParse(map.toJSON());
    if (!parsed.success || seen.has(parsed.data.cellId)) continue;
    const cell = cells.get(parsed.data.cellId);
    if (!cell || !viewsFor(cell.kind).includes(parsed.data.view)) continue;
    if (out.length >= MAX_ITEMS) break;
    seen.add(parsed.data.cellId);
    out.push({ ...parsed.data, ...clampBox(parsed.data) });
  }
  return out;
}

/** Positions without overlaps: items in reading order (top, then left), each moved down until it fits. */
export function arrange(items: LayoutItem[]): LayoutItem[] {
  const sorted = [...items].sort((a, b) => a.y - b.y || a.x - b.x || a.cellId.localeCompare(b.cellId));
  const placed: LayoutItem[] = [];
  for (const item of sorted) {
    let y = item.y;
    while (placed.some((p) => overlaps(p, { ...item, y }))) y++;
    placed.push({ ...item, y });
  }
  return placed;
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * The arranged layout after `cellId` goes to `box`: it takes that spot and whatever it would cover moves down
 * (keeping its reading order). Without this a drop, or a keyboard step, onto another card would lose the tie to
 * it in `arrange` and seem to do nothing. The editor previews a drag with this, so the drop matches the preview.
 */
export function placeAt(items: LayoutItem[], cellId: string, box: Box): LayoutItem[] {
  const moved = items.find((i) => i.cellId === cellId);
  if (!moved) return items;
  const placed: LayoutItem[] = [{ ...moved, ...clampBox(box) }];
  for (const item of arrange(items.filter((i) => i.cellId !== cellId))) {
    let y = item.y;
    while (placed.some((p) => overlaps(p, { ...item, y }))) y++;
    placed.push({ ...item, y });
  }
  return arrange(placed);
}

/** The row below everything placed. */
export const bottomOf = (items: LayoutItem[]) => items.reduce((m, i) => Math.max(m, i.y + i.h), 0);

function findMap(doc: Y.Doc, cellId: string): Y.Map<unknown> | undefined {
  return parts(doc)
    .layout.toArray()
    .find((m) => m instanceof Y.Map && m.get('cellId') === cellId);
}

/** Puts a cell on the dashboard (below everything, at its view's default size), or changes how it shows. */
export function addToLayout(doc: Y.Doc, cell: Pick<Cell, 'id' | 'kind'>, view?: ItemView, origin?: unknown) {
  const views = viewsFor(cell.kind);
  const chosen = view ?? views[0];
  if (!chosen || !views.includes(chosen)) return;
  doc.transact(() => {
    const existing = findMap(doc, cell.id);
    if (existing) {
      existing.set('view', chosen);
      return;
    }
    const size = DEFAULT_SIZE[chosen];
    const map = new Y.Map<unknown>();
    // Below what people see: the stored boxes may overlap, and `arrange` pushes those further down.
    const fields = { cellId: cell.id, view: chosen, x: 0, y: bottomOf(arrange(readLayout(doc))), ...size };
    for (const [k, v] of Object.entries(fields)) map.set(k, v);
    parts(doc).layout.push([map]);
  }, origin);
}

/**
 * Moves and/or resizes an item (see `placeAt`), writing the arranged positions of the items it pushes down.
 * Only the keys that change are written, so concurrent edits merge per key.
 */
export function placeItem(doc: Y.Doc, cellId: string, box: Box, origin?: unknown) {
  const current = arrange(readLayout(doc));
  if (!current.some((i) => i.cellId === cellId)) return;
  doc.transact(() => {
    for (const item of placeAt(current, cellId, box)) {
      const map = findMap(doc, item.cellId);
      if (!map) continue;
      for (const k of ['x', 'y', 'w', 'h'] as const) if (map.get(k) !== item[k]) map.set(k, item[k]);
    }
  }, origin);
}

export function removeFromLayout(doc: Y.Doc, cellId: string, origin?: unknown) {
  doc.transact(() => {
    const { layout } = parts(doc);
    const arr = layout.toArray();
    for (let i = arr.length - 1; i >= 0; i--) {
      const map = arr[i];
      // A malformed entry from a buggy client is not a Y.Map and has no `get`.
      if (map instanceof Y.Map && map.get('cellId') === cellId) layout.delete(i, 1);
    }
  }, origin);
}
