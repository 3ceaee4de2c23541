// Restoring a version as new edits on top of the live document, never by replacing it: whatever the version and
// the live document agree on is left alone, text is changed by the smallest line-wise edits, and cells are moved
// only when they are out of place. So a co-editor typing in a cell the restore does not change keeps every
// character, and one typing in a cell it does change keeps the characters typed outside the restored lines.
//
// Both functions run in one transaction with RESTORE_ORIGIN (or the origin given): a browser that applies a
// restore itself can track that origin in its UndoManager and undo the restore in one step.
import * as Y from 'yjs';
import { freshResultName, orderedCells, parts, readCell } from './document';
import { textEdits } from './line-diff';
import { longestIncreasing, stableJson } from './versions';

export const RESTORE_ORIGIN = 'sheaf:restore';

/** Makes `live`'s title and description, cells, their order and the dashboard layout equal to `version`'s. */
export function restoreNotebook(live: Y.Doc, version: Y.Doc, origin: unknown = RESTORE_ORIGIN): void {
  const L = parts(live);
  const V = parts(version);
  live.transact(() => {
    syncMap(L.meta, V.meta);
    const target = orderedCells(version);
    const wanted = new Set(target.map((c) => c.id));
    for (const id of [...L.cells.keys()]) if (!wanted.has(id)) L.cells.delete(id);
    for (const cell of target) {
      const mine = L.cells.get(cell.id);
      if (mine && readCell(mine)) syncCell(mine, cell.map);
      else L.cells.set(cell.id, cell.map.clone());
    }
    syncOrder(
      L.order,
      target.map((c) => c.id)
    );
    syncLayout(L.layout, V.layout);
  }, origin);
}

/** Brings back one cell as it was in `version`: re-created where it stood (after the nearest earlier cell that
 * still exists) if it was deleted, otherwise its kind, name, source and config set back. False when the version
 * has no such cell. A re-created cell whose name another cell has taken since gets a fresh name. */
export function restoreCell(
  live: Y.Doc,
  version: Y.Doc,
  cellId: string,
  origin: unknown = RESTORE_ORIGIN
): boolean {
  const target = orderedCells(version);
  const at = target.findIndex((c) => c.id === cellId);
  if (at < 0) return false;
  const cell = target[at]!;
  const L = parts(live);
  live.transact(() => {
    const mine = L.cells.get(cellId);
    const present = orderedCells(live).some((c) => c.id === cellId);
    if (mine && readCell(mine)) syncCell(mine, cell.map, ['run']);
    else L.cells.set(cellId, cell.map.clone());
    const map = L.cells.get(cellId)!;
    const name = map.get('name');
    if (
      typeof name === 'string' &&
      name &&
      orderedCells(live).some((c) => c.id !== cellId && c.name === name)
    ) {
      map.set('name', freshResultName(live, name));
    }
    if (!present) {
      const liveIds = L.order.toArray();
      let index = 0;
      for (let i = at - 1; i >= 0; i--) {
        const j = liveIds.indexOf(target[i]!.id);
        if (j >= 0) {
          index = j + 1;
          break;
        }
      }
      L.order.insert(index, [cellId]);
      // Its dashboard cards come back too, unless it still has some.
      const cards = L.layout.toArray().some((m) => m.get('cellId') === cellId);
      if (!cards)
        for (const m of V_layout(version)) if (m.get('cellId') === cellId) L.layout.push([m.clone()]);
    }
  }, origin);
  return true;
}

const V_layout = (doc: Y.Doc) => parts(doc).layout.toArray();

const same = (a: unknown, b: unknown) => stableJson(plain(a)) === stableJson(plain(b));
const plain = (v: unknown): unknown => (v instanceof Y.AbstractType ? v.toJSON() : v);
const copy = (v: unknown): unknown => (v instanceof Y.AbstractType ? v.clone() : v);

/** Sets the keys of `live` that differ from `want` and deletes the ones `want` lacks. */
function syncMap(live: Y.Map<unknown>, want: Y.Map<unknown>, keep: readonly string[] = []): void {
  for (const key of [...live.keys()]) if (!want.has(key) && !keep.includes(key)) live.delete(key);
  for (const [key, value] of want.entries()) {
    if (keep.includes(key)) continue;
    const current = live.get(key);
    if (current instanceof Y.Text && value instanceof Y.Text) setText(current, value.toString());
    else if (current instanceof Y.Map && value instanceof Y.Map) syncMap(current, value);
    else if (!(live.has(key) && same(current, value))) live.set(key, copy(value));
  }
}

/** A cell in both: its source by small edits, its config key by key. The run record stays as it is in a whole
 * restore too, so staleness (the SQL's hash) says whether the restored query needs running. */
function syncCell(live: Y.Map<unknown>, want: Y.Map<unknown>, keep: readonly string[] = []): void {
  syncMap(live, want, ['run', ...keep]);
}

export function setText(text: Y.Text, to: string): void {
  for (const e of textEdits(text.toString(), to)) {
    if (e.remove > 0) text.delete(e.index, e.remove);
    if (e.insert) text.insert(e.index, e.insert);
  }
}

/** Makes `order` equal to `ids`: duplicates and strays deleted, cells off the longest in-order run moved. */
function syncOrder(order: Y.Array<string>, ids: readonly string[]): void {
  const want = new Map(ids.map((id, i) => [id, i]));
  const current = order.toArray();
  const seen = new Set<string>();
  const kept: number[] = []; // positions in `current` of first occurrences of wanted ids
  for (let i = 0; i < current.length; i++) {
    const id = current[i]!;
    if (want.has(id) && !seen.has(id)) kept.push(i);
    seen.add(id);
  }
  const stay = longestIncreasing(kept.map((i) => want.get(current[i]!)!));
  const keep = new Set(kept.filter((_, j) => stay.has(j)));
  for (let i = current.length - 1; i >= 0; i--) if (!keep.has(i)) order.delete(i, 1);
  // What is left is in the wanted order: insert the rest where they belong.
  let pos = 0;
  const now = order.toArray();
  for (const id of ids) {
    if (now[pos] === id) pos++;
    else {
      order.insert(pos, [id]);
      now.splice(pos, 0, id);
      pos++;
    }
  }
}

/** The dashboard grid: card by card when the same cards are in the same places, else replaced. */
function syncLayout(live: Y.Array<Y.Map<unknown>>, want: Y.Array<Y.Map<unknown>>): void {
  const a = live.toArray();
  const b = want.toArray();
  if (
    a.length === b.length &&
    a.every((m, i) => m instanceof Y.Map && m.get('cellId') === b[i]!.get('cellId'))
  ) {
    a.forEach((m, i) => syncMap(m, b[i]!));
    return;
  }
  if (live.length > 0) live.delete(0, live.length);
  live.push(b.map((m) => m.clone()));
}
