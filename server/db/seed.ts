// The demo account and notebook that the embedded default starts with: 20,000 US flights (from the vega-datasets
// sample data, originally the US Department of Transportation's) as an uploaded file, a query, a chart and notes.
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { signUp } from '../auth/accounts';
import { storeUpload } from '../files/files';
import { runLocalCells } from '../notebooks/local-results';
import { createNotebook } from '../notebooks/notebooks';
import type { NewCell } from '../../cells/document';
import type { Db } from './types';

const FLIGHTS = fileURLToPath(new URL('./demo-flights.csv', import.meta.url));

/** The demo's query, over the uploaded flights (tests compute its result with native DuckDB from the same CSV). */
export const DEMO_QUERY =
  'select extract(hour from departure) as hour, avg(delay) as avg_delay, count(*) as flights\n' +
  'from flights\ngroup by 1\nhaving count(*) >= 100 -- hours with too few flights say little\norder by 1';
export const DEMO_FLIGHTS_CSV = FLIGHTS;

const DEMO_CELLS: NewCell[] = [
  {
    kind: 'text',
    source:
      '# US flights\n\nA small tour of Sheaf. Everyone with access edits this notebook live: ' +
      'invite a colleague from **Members** and watch their cursor.\n\n' +
      'Press **Shift+Enter** to move to the next cell, **Esc** for command mode, then **a** / **b** to add a cell.'
  },
  {
    kind: 'sql',
    name: 'delays_by_hour',
    source: DEMO_QUERY
  },
  {
    kind: 'chart',
    config: {
      source: 'delays_by_hour',
      mark: 'line',
      title: 'Average delay by hour of departure',
      x: { field: 'hour', type: 'quantitative' },
      y: { field: 'avg_delay', type: 'quantitative' }
    }
  },
  {
    kind: 'text',
    source:
      'Flights leaving later in the day are delayed more: delays pile up. Change the query above and press ' +
      '**Shift+Enter** (or **▶ Run**) to run it again; the chart follows.'
  }
];

export const DEMO = { email: 'demo@sheaf.local', password: 'sheaf-demo', name: 'Demo Analyst' } as const;

/** Creates the demo account once; later starts leave it (and whatever the user did with it) alone. */
export async function seedDemo(db: Db, dataDir: string): Promise<boolean> {
  const existing = await db.query('select 1 from users where lower(email) = $1', [DEMO.email]);
  if (existing.length > 0) return false;
  const { user, workspaceId } = await signUp(db, DEMO);
  await storeUpload(db, dataDir, {
    userId: user.id,
    workspaceId,
    fileName: 'flights.csv',
    source: createReadStream(FLIGHTS),
    limitBytes: 10 * 1024 ** 2
  });
  const nb = await createNotebook(db, user.id, workspaceId, { title: 'Demo: US flights' }, DEMO_CELLS);
  // The first screen shows the query's table and the chart: the results are computed and stored now.
  try {
    await runLocalCells(db, dataDir, { userId: user.id, userName: DEMO.name, notebookId: nb.id });
  } catch (e) {
    console.warn(`The demo notebook's results could not be computed; it opens without them. (${String(e)})`);
  }
  return true;
}
