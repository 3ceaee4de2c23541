// Which cells a transaction on a notebook document changed, for attributing edits to people (cell_edits).
// Cell-level adds, deletes and moves (the cells map's keys, the order array), and edits inside a cell: its kind,
// name, source and config. Run records are left out: a run is not an edit, and the History panel's comparison
// (cells/versions.ts) ignores them too, so "changed by" and "changed" agree.
import * as Y from 'yjs';
import { CELL_ID, parts } from '../../cells/document';

const addId = (ids: Set<string>, v: unknown) => {
  if (typeof v === 'string' && CELL_ID.test(v)) ids.add(v);
};

/** The cells changed by the events of one transaction on the cells map (observeDeep). */
export function cellsOfDeepEvents(
  cells: Y.Map<unknown>,
  events: Y.YEvent<Y.AbstractType<unknown>>[]
): Set<string> {
  const ids = new Set<string>();
  for (const event of events) {
    const keys = event instanceof Y.YMapEvent ? (event.keysChanged as Set<string | null>) : null;
    if (event.target === cells) {
      for (const key of keys ?? []) addId(ids, key);
      continue;
    }
    // The path from the cells map down to the changed type: [cellId], [cellId, 'source'], [cellId, 'config', …].
    const path = event.path;
    if (path.length === 0) continue;
    if (path[1] === 'run') continue;
    if (path.length === 1 && keys?.size === 1 && keys.has('run')) continue;
    addId(ids, path[0]);
  }
  return ids;
}

/** The cell ids an event on the order array inserted or deleted (a move is both, of the same id). */
export function cellsOfOrderEvent(event: Y.YArrayEvent<string>): Set<string> {
  const ids = new Set<string>();
  for (const items of [event.changes.added, event.changes.deleted])
    for (const item of items) for (const v of item.content.getContent()) addId(ids, v);
  return ids;
}

/** Calls `onChange(by, cellIds)` for each transaction on `doc` whose origin `who` names a person and that changed
 * cells. Nothing is computed for other transactions. Returns a function that stops watching. */
export function watchCellChanges<U>(
  doc: Y.Doc,
  who: (origin: unknown) => U | null,
  onChange: (by: U, cellIds: Set<string>) => void
): () => void {
  const { cells, order } = parts(doc);
  const onCells = (events: Y.YEvent<Y.AbstractType<unknown>>[], tr: Y.Transaction) => {
    const by = who(tr.origin);
    if (by === null) return;
    const ids = cellsOfDeepEvents(cells as Y.Map<unknown>, events);
    if (ids.size > 0) onChange(by, ids);
  };
  const onOrder = (event: Y.YArrayEvent<string>, tr: Y.Transaction) => {
    const by = who(tr.origin);
    if (by === null) return;
    const ids = cellsOfOrderEvent(event);
    if (ids.size > 0) onChange(by, ids);
  };
  cells.observeDeep(onCells);
  order.observe(onOrder);
  return () => {
    cells.unobserveDeep(onCells);
    order.unobserve(onOrder);
  };
}
