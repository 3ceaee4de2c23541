// The notebook's Yjs document and typed access to it, shared by the browser and the server.
//
//   meta   : Y.Map    { title, description }
//   order  : Y.Array<string>        cell ids, top to bottom (a duplicate from concurrent moves: first wins)
//   cells  : Y.Map<id, Y.Map>       { id, kind, name, source: Y.Text, config: Y.Map, run: Y.Map }
//   layout : Y.Array<Y.Map>         dashboard grid (used by publishing)
import * as Y from 'yjs';
import { cellKind, type KindName } from './registry';

export type NotebookParts = {
  meta: Y.Map<unknown>;
  order: Y.Array<string>;
  cells: Y.Map<Y.Map<unknown>>;
  layout: Y.Array<Y.Map<unknown>>;
};

export function parts(doc: Y.Doc): NotebookParts {
  return {
    meta: doc.getMap('meta'),
    order: doc.getArray<string>('order'),
    cells: doc.getMap<Y.Map<unknown>>('cells'),
    layout: doc.getArray<Y.Map<unknown>>('layout')
  };
}

export type Cell = {
  id: string;
  kind: string;
  name: string;
  source: Y.Text;
  config: Y.Map<unknown>;
  run: Y.Map<unknown>;
  map: Y.Map<unknown>;
};

/** The characters a cell id may hold: ids name stored results and dashboard files on the server. */
export const CELL_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function readCell(map: Y.Map<unknown>): Cell | null {
  const source = map.get('source');
  const config = map.get('config');
  const run = map.get('run');
  const id = map.get('id');
  if (
    typeof id !== 'string' ||
    !CELL_ID.test(id) ||
    !(source instanceof Y.Text) ||
    !(config instanceof Y.Map) ||
    !(run instanceof Y.Map)
  ) {
    return null; // a malformed cell from a buggy client is skipped, not fatal
  }
  const kind = map.get('kind');
  const name = map.get('name');
  return {
    id,
    kind: typeof kind === 'string' ? kind : 'text',
    name: typeof name === 'string' ? name : '',
    source,
    config,
    run,
    map
  };
}

/** Cells in display order: ids in `order` that have a cell, each once (the first occurrence wins). */
export function orderedCells(doc: Y.Doc): Cell[] {
  const { order, cells } = parts(doc);
  const seen = new Set<string>();
  const out: Cell[] = [];
  for (const id of order.toArray()) {
    if (seen.has(id)) continue;
    seen.add(id);
    const map = cells.get(id);
    const cell = map ? readCell(map) : null;
    // A cell whose id field differs from its key would let one id stand for another (layout, results).
    if (cell && cell.id === id) out.push(cell);
  }
  return out;
}

export const getTitle = (doc: Y.Doc): string => {
  const t = parts(doc).meta.get('title');
  return typeof t === 'string' ? t : '';
};

export function setTitle(doc: Y.Doc, title: string, origin?: unknown): void {
  doc.transact(() => parts(doc).meta.set('title', title), origin);
}

export function newCellId(): string {
  const b = new Uint8Array(8);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const isValidResultName = (name: string): boolean => IDENT.test(name) && name.length <= 63;

/** A result name not used by another cell: query_1, query_2, … */
export function freshResultName(doc: Y.Doc, base = 'query'): string {
  const used = new Set(orderedCells(doc).map((c) => c.name));
  for (let i = 1; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

export type NewCell = {
  kind: KindName;
  source?: string;
  name?: string;
  config?: Record<string, unknown>;
};

/** Inserts a cell at `index` in display order (clamped); returns its id. */
export function insertCell(doc: Y.Doc, cell: NewCell, index: number, origin?: unknown): string {
  const def = cellKind(cell.kind);
  if (!def) throw new Error(`Unknown cell kind "${cell.kind}"`);
  const id = newCellId();
  doc.transact(() => {
    const { order, cells } = parts(doc);
    const defaults = def.defaults();
    const map = new Y.Map<unknown>();
    map.set('id', id);
    map.set('kind', cell.kind);
    map.set('name', def.named ? (cell.name ?? freshResultName(doc)) : '');
    map.set('source', new Y.Text(cell.source ?? defaults.source));
    const config = new Y.Map<unknown>();
    for (const [k, v] of Object.entries({ ...defaults.config, ...cell.config })) config.set(k, v);
    map.set('config', config);
    map.set('run', new Y.Map<unknown>());
    cells.set(id, map);
    order.insert(orderIndexFor(doc, index), [id]);
  }, origin);
  return id;
}

/** Maps a display index to an index in `order`, which may hold duplicates or ids of deleted cells. */
function orderIndexFor(doc: Y.Doc, displayIndex: number): number {
  const visible = orderedCells(doc);
  if (displayIndex <= 0) return 0;
  if (displayIndex >= visible.length) return parts(doc).order.length;
  const target = visible[displayIndex]!.id;
  return parts(doc).order.toArray().indexOf(target);
}

export function deleteCell(doc: Y.Doc, id: string, origin?: unknown): void {
  doc.transact(() => {
    const { order, cells } = parts(doc);
    removeFromOrder(order, id);
    cells.delete(id);
  }, origin);
}

/** Moves a cell to display index `to` (the index it will have afterwards). */
export function moveCell(doc: Y.Doc, id: string, to: number, origin?: unknown): void {
  doc.transact(() => {
    const { order } = parts(doc);
    removeFromOrder(order, id);
    order.insert(orderIndexFor(doc, to), [id]);
  }, origin);
}

function removeFromOrder(order: Y.Array<string>, id: string) {
  const arr = order.toArray();
  for (let i = arr.length - 1; i >= 0; i--) if (arr[i] === id) order.delete(i, 1);
}

/** Changes a cell's kind, keeping its text and resetting its settings to the new kind's defaults. */
export function setCellKind(doc: Y.Doc, id: string, kind: KindName, origin?: unknown): void {
  const def = cellKind(kind);
  const map = parts(doc).cells.get(id);
  if (!def || !map) return;
  doc.transact(() => {
    map.set('kind', kind);
    const current = map.get('name');
    if (def.named && !(typeof current === 'string' && current)) map.set('name', freshResultName(doc));
    if (!def.named) map.set('name', '');
    const config = new Y.Map<unknown>();
    for (const [k, v] of Object.entries(def.defaults().config)) config.set(k, v);
    map.set('config', config);
    map.set('run', new Y.Map<unknown>());
  }, origin);
}

export function renameCell(doc: Y.Doc, id: string, name: string, origin?: unknown): boolean {
  const map = parts(doc).cells.get(id);
  if (!map || !isValidResultName(name)) return false;
  if (orderedCells(doc).some((c) => c.id !== id && c.name === name)) return false;
  const from = map.get('name');
  doc.transact(() => {
    map.set('name', name);
    // Charts, and queries and texts naming an input as {{name}}, follow it to its new name.
    if (typeof from !== 'string' || !from) return;
    for (const cell of orderedCells(doc)) cellKind(cell.kind)?.followRename?.(cell, from, name);
  }, origin);
  return true;
}

/** Writes the initial state of a new notebook. */
export function initNotebook(doc: Y.Doc, title: string, cells: NewCell[] = []): void {
  doc.transact(() => {
    setTitle(doc, title);
    parts(doc).meta.set('description', '');
    cells.forEach((c, i) => insertCell(doc, c, i));
  });
}
