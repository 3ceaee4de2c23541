// Versions of a notebook compared cell by cell: shared by the server (each version's summary, the compare API)
// and, later, the browser's History panel. Pure: two documents in, plain values out.
//
// Cells are matched by id. A cell in both is "moved" when it is not in the longest run of common cells that
// kept their relative order (so moving one cell up marks that cell, not every cell it jumped over), and
// "changed" when its kind, name, source or config differ. Run records are not compared: they change with every
// run and are not something anyone wrote.
import * as Y from 'yjs';
import { viewOf } from './cell-view';
import { orderedCells, parts } from './document';
import { diffLines, type DiffLine } from './line-diff';
import type { CellView } from './types';

export type VersionSummary = { added: number; removed: number; changed: number; moved: number };

export type CellDiff = {
  id: string;
  status: 'added' | 'removed' | 'changed' | 'unchanged';
  moved: boolean;
  /** Where the cell was and is (display index), with its kind and name then and now. */
  before: { index: number; kind: string; name: string } | null;
  after: { index: number; kind: string; name: string } | null;
  /** Line diff of the source, when it differs (an added cell's lines are all added, a removed one's removed). */
  source?: DiffLine[];
  /** The config keys that differ, and a line diff of the config as indented JSON with sorted keys. */
  config?: { keys: string[]; lines: DiffLine[] };
};

export type Comparison = {
  /** Cells in the newer document's order, each removed cell placed after the cell it followed. */
  cells: CellDiff[];
  meta: { key: string; before: unknown; after: unknown }[];
  layoutChanged: boolean;
  summary: VersionSummary;
};

/** The document's cells as plain values, in display order (what a version shows read-only). */
export const plainCells = (doc: Y.Doc): CellView[] => orderedCells(doc).map(viewOf);

export function docFromState(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

/** JSON with sorted keys at every level, indented: equal values give equal text, and diffs read line by line. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])])
      );
    return v;
  };
  return JSON.stringify(sort(value), null, 2) ?? 'null';
}

/** Compares `before` (an older version, say) with `after` (now). `lines: false` skips the line diffs, for
 * summaries. Linear in the number of cells plus the diffed text, apart from an O(n log n) moved-cell pass. */
export function compareDocs(before: Y.Doc, after: Y.Doc, opts: { lines?: boolean } = {}): Comparison {
  const lines = opts.lines ?? true;
  const a = plainCells(before);
  const b = plainCells(after);
  const indexA = new Map(a.map((c, i) => [c.id, i]));
  const indexB = new Map(b.map((c, i) => [c.id, i]));

  // Common cells in the new order, by their old index: those off the longest increasing run have moved.
  const common = b.filter((c) => indexA.has(c.id));
  const stay = longestIncreasing(common.map((c) => indexA.get(c.id)!));
  const moved = new Set<string>();
  common.forEach((c, i) => {
    if (!stay.has(i)) moved.add(c.id);
  });

  const summary: VersionSummary = { added: 0, removed: 0, changed: 0, moved: moved.size };
  const removedCells = a.filter((c) => !indexB.has(c.id));
  summary.removed = removedCells.length;
  let nextRemoved = 0;
  const cells: CellDiff[] = [];
  const place = (c: CellView, index: number) => ({ index, kind: c.kind, name: c.name });
  const pushRemovedBefore = (limit: number) => {
    while (nextRemoved < removedCells.length && indexA.get(removedCells[nextRemoved]!.id)! < limit) {
      const c = removedCells[nextRemoved++]!;
      cells.push({
        id: c.id,
        status: 'removed',
        moved: false,
        before: place(c, indexA.get(c.id)!),
        after: null,
        ...(lines ? diffOf(c, null) : {})
      });
    }
  };

  const nextCommonAfter = (ia: number) => {
    let k = ia + 1;
    while (k < a.length && !indexB.has(a[k]!.id)) k++;
    return k;
  };
  b.forEach((cb, i) => {
    const ia = indexA.get(cb.id);
    if (ia === undefined) {
      summary.added++;
      cells.push({
        id: cb.id,
        status: 'added',
        moved: false,
        before: null,
        after: place(cb, i),
        ...(lines ? diffOf(null, cb) : {})
      });
      return;
    }
    if (!moved.has(cb.id)) pushRemovedBefore(ia);
    const ca = a[ia]!;
    const configKeys = changedKeys(ca.config, cb.config);
    const changed =
      ca.kind !== cb.kind || ca.name !== cb.name || ca.source !== cb.source || configKeys.length > 0;
    if (changed) summary.changed++;
    cells.push({
      id: cb.id,
      status: changed ? 'changed' : 'unchanged',
      moved: moved.has(cb.id),
      before: place(ca, ia),
      after: place(cb, i),
      ...(changed && lines ? diffOf(ca, cb, configKeys) : {})
    });
    // The cells removed right after it in the old order follow it.
    if (!moved.has(cb.id)) pushRemovedBefore(nextCommonAfter(ia));
  });
  pushRemovedBefore(Infinity);

  const metaA = parts(before).meta.toJSON();
  const metaB = parts(after).meta.toJSON();
  const meta = changedKeys(metaA, metaB).map((key) => ({ key, before: metaA[key], after: metaB[key] }));
  const layoutChanged =
    JSON.stringify(parts(before).layout.toJSON()) !== JSON.stringify(parts(after).layout.toJSON());
  return { cells, meta, layoutChanged, summary };
}

export function compareStates(before: Uint8Array, after: Uint8Array, opts?: { lines?: boolean }): Comparison {
  const a = docFromState(before);
  const b = docFromState(after);
  try {
    return compareDocs(a, b, opts);
  } finally {
    a.destroy();
    b.destroy();
  }
}

function diffOf(
  a: CellView | null,
  b: CellView | null,
  keys?: string[]
): Pick<CellDiff, 'source' | 'config'> {
  const out: Pick<CellDiff, 'source' | 'config'> = {};
  const sa = a?.source ?? '';
  const sb = b?.source ?? '';
  if (sa !== sb) out.source = a && b ? diffLines(sa, sb) : a ? asAll(sa, 'removed') : asAll(sb, 'added');
  const configKeys = keys ?? changedKeys(a?.config ?? {}, b?.config ?? {});
  if (configKeys.length > 0) {
    const ja = a ? stableJson(a.config) : '';
    const jb = b ? stableJson(b.config) : '';
    out.config = {
      keys: configKeys,
      lines: a && b ? diffLines(ja, jb) : a ? asAll(ja, 'removed') : asAll(jb, 'added')
    };
  }
  return out;
}

const asAll = (text: string, op: 'added' | 'removed'): DiffLine[] =>
  text === '' ? [] : text.split('\n').map((t) => ({ op, text: t }));

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => stableJson(a[k]) !== stableJson(b[k])).sort();
}

/** Indices of one longest strictly increasing subsequence (patience sorting, O(n log n)). */
export function longestIncreasing(xs: readonly number[]): Set<number> {
  const tails: number[] = []; // index into xs of the smallest tail of each length
  const prev = new Int32Array(xs.length).fill(-1);
  for (let i = 0; i < xs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[tails[mid]!]! < xs[i]!) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out = new Set<number>();
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) out.add(i);
  return out;
}
