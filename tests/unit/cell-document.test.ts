// The notebook document's typed helpers: a renamed result takes the charts that read it along.
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { initNotebook, orderedCells, renameCell } from '../../cells/document';

describe('renameCell', () => {
  it('renames a SQL result and the charts drawing it follow; other charts keep their source', () => {
    const doc = new Y.Doc();
    initNotebook(doc, 'T', [
      { kind: 'sql', name: 'orders', source: 'select 1' },
      { kind: 'sql', name: 'other', source: 'select 2' },
      { kind: 'chart', config: { source: 'orders', mark: 'bar' } },
      { kind: 'chart', config: { source: 'other', mark: 'line' } }
    ]);
    const [orders, , chartA, chartB] = orderedCells(doc);
    expect(renameCell(doc, orders!.id, 'orders_2024')).toBe(true);
    expect(orderedCells(doc)[0]!.name).toBe('orders_2024');
    expect(chartA!.config.get('source')).toBe('orders_2024');
    expect(chartB!.config.get('source')).toBe('other');
  });

  it('refuses a name in use or not an identifier, changing nothing', () => {
    const doc = new Y.Doc();
    initNotebook(doc, 'T', [
      { kind: 'sql', name: 'a' },
      { kind: 'sql', name: 'b' },
      { kind: 'chart', config: { source: 'a' } }
    ]);
    const [a, , chart] = orderedCells(doc);
    expect(renameCell(doc, a!.id, 'b')).toBe(false);
    expect(renameCell(doc, a!.id, '1x')).toBe(false);
    expect(chart!.config.get('source')).toBe('a');
  });
});
