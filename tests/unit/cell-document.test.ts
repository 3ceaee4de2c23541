// The notebook document's typed helpers: a renamed result takes the charts that read it along.
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { initNotebook, orderedCells, renameCell } from '../../cells/document';
import { readLayout } from '../../cells/layout';
import { chartFile } from '../../server/publish/snapshot';

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

describe('cells written by hand into the document', () => {
  it('skips a cell whose id could leave a folder or whose id field differs from its key, even on a dashboard', () => {
    const doc = new Y.Doc();
    initNotebook(doc, 'T', [{ kind: 'text', source: 'kept' }]);
    const cells = doc.getMap<Y.Map<unknown>>('cells');
    const order = doc.getArray<string>('order');
    const forge = (key: string, id: string) => {
      const map = new Y.Map<unknown>();
      map.set('id', id);
      map.set('kind', 'text');
      map.set('source', new Y.Text('forged'));
      map.set('config', new Y.Map());
      map.set('run', new Y.Map());
      cells.set(key, map);
      order.push([key]);
    };
    forge('../../../etc/x', '../../../etc/x');
    forge('abc123', 'def456');
    expect(orderedCells(doc).map((c) => c.source.toString())).toEqual(['kept']);
    const layout = doc.getArray<Y.Map<unknown>>('layout');
    const item = new Y.Map<unknown>();
    for (const [k, v] of Object.entries({ cellId: '../../../etc/x', view: 'text', x: 0, y: 0, w: 6, h: 4 }))
      item.set(k, v);
    layout.push([item]);
    expect(readLayout(doc).map((i) => i.cellId)).toEqual([]);
    expect(() => chartFile('../../../etc/x')).toThrow(/Not a cell id/);
    expect(chartFile('a1b2')).toBe('chart-a1b2.arrow');
  });
});

describe('renaming an input', () => {
  it('rewrites the references to it in queries and texts, and nothing inside strings or comments', () => {
    const doc = new Y.Doc();
    initNotebook(doc, 'T', [
      { kind: 'input', name: 'region', config: { widget: 'dropdown' } },
      { kind: 'input', name: 'period', config: { widget: 'daterange' } },
      {
        kind: 'sql',
        name: 'q',
        source:
          "select {{region}}, '{{region}}' as s -- {{region}}\nwhere d >= {{period.start}} and r = {{ REGION }}"
      },
      { kind: 'text', source: "Sales in **{{region}}** since {{period.start}}; don't touch {{regions}}" }
    ]);
    const [region, period, q, text] = orderedCells(doc);
    expect(renameCell(doc, region!.id, 'area')).toBe(true);
    expect(renameCell(doc, period!.id, 'span')).toBe(true);
    expect(q!.source.toString()).toBe(
      "select {{area}}, '{{region}}' as s -- {{region}}\nwhere d >= {{span.start}} and r = {{area}}"
    );
    expect(text!.source.toString()).toBe(
      "Sales in **{{area}}** since {{span.start}}; don't touch {{regions}}"
    );
  });
});
