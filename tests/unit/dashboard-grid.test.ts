// The dashboard editor's rules: a card dropped (or stepped) onto another takes the spot and the other moves
// down, in the document too; the grid's pixel geometry matches what the cards are drawn at.
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { initNotebook, orderedCells } from '../../cells/document';
import { addToLayout, arrange, placeAt, placeItem, readLayout, type LayoutItem } from '../../cells/layout';
import { boxPx, cellsMoved, contentHeightPx } from '../../src/lib/components/dashboard/grid';

const item = (cellId: string, x: number, y: number, w: number, h: number): LayoutItem => ({
  cellId,
  view: 'chart',
  x,
  y,
  w,
  h
});
const boxes = (items: LayoutItem[]) => items.map((i) => `${i.cellId}@${i.x},${i.y} ${i.w}x${i.h}`);

describe('placeAt', () => {
  it('the moved card takes the spot; what it covers moves down, keeping its order', () => {
    const items = arrange([item('a', 0, 0, 6, 2), item('b', 0, 2, 6, 2), item('c', 6, 0, 6, 4)]);
    expect(boxes(placeAt(items, 'b', { x: 0, y: 0, w: 6, h: 2 }))).toEqual([
      'b@0,0 6x2',
      'c@6,0 6x4',
      'a@0,2 6x2'
    ]);
  });

  it('growing a card pushes the cards below it', () => {
    const items = arrange([item('a', 0, 0, 12, 2), item('b', 0, 2, 4, 2)]);
    expect(boxes(placeAt(items, 'a', { x: 0, y: 0, w: 12, h: 3 }))).toEqual(['a@0,0 12x3', 'b@0,3 4x2']);
  });

  it('a box off the grid is clamped onto it', () => {
    const items = [item('a', 0, 0, 4, 2)];
    expect(boxes(placeAt(items, 'a', { x: 10, y: -3, w: 4, h: 2 }))).toEqual(['a@8,0 4x2']);
  });
});

describe('placeItem', () => {
  it('writes the spot taken and the pushed cards, so every reader arranges the same dashboard', () => {
    const doc = new Y.Doc();
    initNotebook(doc, 'T', [
      { kind: 'text', source: '# A' },
      { kind: 'text', source: '# B' }
    ]);
    const [a, b] = orderedCells(doc);
    addToLayout(doc, a!);
    addToLayout(doc, b!);
    expect(readLayout(doc).map((i) => [i.y, i.h])).toEqual([
      [0, 3],
      [3, 3]
    ]);
    // B goes up onto A's spot: B wins it rather than losing the tie and staying put.
    placeItem(doc, b!.id, { x: 0, y: 0, w: 6, h: 3 });
    const stored = Object.fromEntries(readLayout(doc).map((i) => [i.cellId, i.y]));
    expect(stored).toEqual({ [b!.id]: 0, [a!.id]: 3 });

    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    expect(arrange(readLayout(other))).toEqual(arrange(readLayout(doc)));
  });

  it('a new card goes below what is shown, even when stored boxes overlap', () => {
    const doc = new Y.Doc();
    initNotebook(doc, 'T', [
      { kind: 'text', source: 'a' },
      { kind: 'text', source: 'b' },
      { kind: 'text', source: 'c' }
    ]);
    const [a, b, c] = orderedCells(doc);
    addToLayout(doc, a!);
    addToLayout(doc, b!);
    // Someone else's edit leaves both at the top: they show one under the other.
    doc.getArray<Y.Map<unknown>>('layout').get(1).set('y', 0);
    addToLayout(doc, c!);
    const shown = arrange(readLayout(doc));
    expect(shown.find((i) => i.cellId === c!.id)?.y).toBe(6);
  });
});

describe('grid geometry', () => {
  it('boxes span whole columns and rows with the gaps between them', () => {
    // 12 columns of 90px with 11 gaps of 12px: 1212px.
    expect(boxPx({ w: 1, h: 1 }, 1212)).toEqual({ width: 90, height: 56 });
    expect(boxPx({ w: 12, h: 5 }, 1212)).toEqual({ width: 1212, height: 5 * 56 + 4 * 12 });
    expect(contentHeightPx(5, false)).toBe(5 * 56 + 4 * 12 - 20);
    expect(contentHeightPx(5, true)).toBe(5 * 56 + 4 * 12 - 20 - 28);
  });

  it('pointer travel snaps to the nearest column and row', () => {
    expect(cellsMoved(0, 0, 1212)).toEqual({ dx: 0, dy: 0 });
    expect(cellsMoved(3 * 102 + 40, 2 * 68 - 30, 1212)).toEqual({ dx: 3, dy: 2 });
    expect(cellsMoved(-60, -40, 1212)).toEqual({ dx: -1, dy: -1 });
  });
});
