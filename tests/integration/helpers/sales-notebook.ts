// Ann's sales notebook, ready to publish: an uploaded sales.csv, a text, a grouped query, a total and a bar chart,
// with the text and chart on the dashboard, the total as a number card and the grouped query as a table.
import { orderedCells, type NewCell } from '../../../cells/document';
import { addToLayout } from '../../../cells/layout';
import type { Db } from '../../../server/db/types';
import { createNotebook } from '../../../server/notebooks/notebooks';
import { editStoredDoc } from './edit-stored-doc';
import { person } from './people';
import { uploadCsv } from './upload';

export const SALES = 'region,amount\nnorth,10\nsouth,20\nnorth,5\neast,7\n';

export async function salesNotebook(
  db: Db,
  dataDir: string,
  opts: { owner: string; intro?: string; extra?: NewCell[] }
) {
  const ann = await person(db, opts.owner);
  await uploadCsv(db, dataDir, ann, 'sales.csv', SALES);
  const nb = await createNotebook(db, ann.id, ann.workspaceId, { title: 'Sales board' }, [
    { kind: 'text', source: opts.intro ?? '# Sales\nBy **region**.' },
    {
      kind: 'sql',
      name: 'by_region',
      source: 'select region, sum(amount) as total from sales group by region order by region'
    },
    { kind: 'sql', name: 'grand', source: 'select sum(total) as revenue from by_region' },
    {
      kind: 'chart',
      config: {
        source: 'by_region',
        mark: 'bar',
        x: { field: 'region', type: 'nominal' },
        y: { field: 'total', type: 'quantitative' }
      }
    },
    ...(opts.extra ?? [])
  ]);
  await editStoredDoc(db, nb.id, (doc) => {
    for (const c of orderedCells(doc)) {
      if (c.kind === 'text' || c.kind === 'chart') addToLayout(doc, c);
      if (c.name === 'grand') addToLayout(doc, c, 'number');
      if (c.name === 'by_region') addToLayout(doc, c, 'table');
    }
  });
  return { ann, nb };
}
