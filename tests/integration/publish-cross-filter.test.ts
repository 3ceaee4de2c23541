// A published chart carries its cross-filter: the input a click sets and where its drawn rows hold the field, so
// the dashboard page can dim the card's marks and turn a click into the input's value without the notebook.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableRows } from '../../cells/chart/arrow-rows';
import { valueOnClick, withCrossFilter } from '../../cells/chart/cross-filter';
import { orderedCells } from '../../cells/document';
import { addToLayout } from '../../cells/layout';
import { secretBox } from '../../server/connectors/secret-box';
import { CellIdSchema } from '../../server/ids';
import { createNotebook } from '../../server/notebooks/notebooks';
import { chartRowsPath, openDashboard } from '../../server/publish/open-dashboard';
import { publish } from '../../server/publish/publications';
import { editStoredDoc } from './helpers/edit-stored-doc';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';
import { uploadCsv } from './helpers/upload';

const SALES = 'region,amount\nnorth,10\nsouth,20\nnorth,5.5\neast,7\n';

let t: TestDb;
let dataDir: string;
const box = secretBox(randomBytes(32));
const deps = () => ({ dataDir, secretBox: () => box });

beforeAll(async () => {
  t = await freshDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-publish-cross-'));
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a published chart that sets an input', () => {
  it('names the input, the field and its channel; the rows served hold the field the click reads', async () => {
    const ann = await person(t.db, 'Cross Ann');
    await uploadCsv(t.db, dataDir, ann, 'sales.csv', SALES);
    const nb = await createNotebook(t.db, ann.id, ann.workspaceId, { title: 'Regions' }, [
      { kind: 'input', name: 'area', config: { widget: 'dropdown', options: { from: 'list', values: [] } } },
      { kind: 'sql', name: 'by_region', source: 'select region, amount from sales' },
      {
        kind: 'chart',
        config: {
          mode: 'builder',
          source: 'by_region',
          mark: 'bar',
          x: { field: 'region', type: 'nominal' },
          y: { field: 'amount', type: 'quantitative', aggregate: 'sum' },
          crossFilter: { input: 'area', field: 'region' }
        }
      },
      // A chart without the setting carries none.
      {
        kind: 'chart',
        config: { mode: 'builder', source: 'by_region', mark: 'bar', x: { field: 'region', type: 'nominal' } }
      }
    ]);
    await editStoredDoc(t.db, nb.id, (doc) => {
      for (const c of orderedCells(doc)) if (c.kind === 'chart') addToLayout(doc, c, 'chart');
    });
    const { slug } = await publish(t.db, deps(), ann.id, nb.id, { visibility: 'public' });
    const page = await openDashboard(t.db, dataDir, slug, null);
    const charts = page.dashboard.items.filter((i) => i.view === 'chart');
    expect(charts).toHaveLength(2);
    const [chart, plain] = charts;
    if (chart?.view !== 'chart' || plain?.view !== 'chart') throw new Error('no chart cards');
    expect(plain.crossFilter).toBeUndefined();
    expect(chart.crossFilter).toEqual({ input: 'area', field: 'region', channel: 'x' });

    // What the dashboard does with it: the served rows, the drawn spec dimmed, a click's value.
    const rowsFile = await chartRowsPath(t.db, dataDir, slug, null, CellIdSchema.parse(chart.cellId));
    const rows = tableRows(tableFromIPC(await readFile(rowsFile)));
    const prepared = withCrossFilter(chart.spec!, chart.crossFilter!, 'north');
    expect(prepared.dims).toBe(true);
    expect(rows.map((r) => r[prepared.field!]).sort()).toEqual(['east', 'north', 'north', 'south']);
    expect(
      valueOnClick('dropdown', 'north', rows.find((r) => r[prepared.field!] === 'south')![prepared.field!])
    ).toBe('south');
  });
});
