// What the published-dashboard benches (views, dashboard, filter) share while they set up, before anything is
// timed: the app's database on embedded PGlite in the bench's data folder (where the built app started on that
// folder finds it), a generated sales file uploaded as the table `sales`, chart cells over it, and publishing.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { DuckDBInstance } from '@duckdb/node-api';
import type { NewCell } from '../cells/document';
import { literal } from '../cells/sql/quote';
import { signUp } from '../server/auth/accounts';
import { secretBox } from '../server/connectors/secret-box';
import type { NotebookId, UserId, WorkspaceId } from '../server/ids';
import { openMigratedDb } from '../server/db/open';
import type { Db } from '../server/db/types';
import { storeUpload } from '../server/files/files';
import { publish } from '../server/publish/publications';

/** The benches' secret key (connection passwords, publishing): fixed, since nothing here is secret. */
export const BENCH_KEY = new Uint8Array(32);

export function openBenchDb(dataDir: string): Promise<Db> {
  return openMigratedDb({
    dataDir,
    migrationsDir: path.resolve('migrations'),
    databaseSchema: undefined,
    databaseUrl: undefined
  });
}

/** The account the benches publish as. */
export async function benchAccount(db: Db) {
  return signUp(db, { email: 'bench@example.test', name: 'Bench', password: 'correct horse battery' });
}

/** Writes the rows of `select` (DuckDB SQL) to the Parquet file `parquet`. */
export async function writeParquet(parquet: string, select: string): Promise<void> {
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(`copy (${select}) to ${literal(parquet)} (format parquet)`);
  duck.closeSync();
}

/** Uploads the Parquet file `parquet` to `owner`'s workspace as `sales.parquet`: the table `sales`. */
export async function uploadSales(
  db: Db,
  dataDir: string,
  owner: { userId: UserId; workspaceId: WorkspaceId },
  parquet: string
): Promise<void> {
  await storeUpload(db, dataDir, {
    ...owner,
    fileName: 'sales.parquet',
    source: createReadStream(parquet) as unknown as Readable,
    limitBytes: 1024 ** 3
  });
}

/** One channel of a chart's encoding. */
export const channel = (field: string, type: string, extra: Record<string, unknown> = {}) => ({
  field,
  type,
  ...extra
});

/** A chart cell drawing the table `sales`. */
export const salesChart = (config: Record<string, unknown>): NewCell => ({
  kind: 'chart',
  config: { source: 'sales', ...config }
});

/** Four charts of `sales` both dashboard benches draw: bars by region, a monthly line, a histogram, bars by
 * category. */
export function fourSalesCharts(): NewCell[] {
  const x = channel;
  return [
    salesChart({
      mark: 'bar',
      x: x('region', 'nominal'),
      y: x('amount', 'quantitative', { aggregate: 'sum' })
    }),
    salesChart({
      mark: 'line',
      x: x('ordered_at', 'temporal', { timeUnit: 'yearmonth' }),
      y: x('amount', 'quantitative', { aggregate: 'mean' })
    }),
    salesChart({ mark: 'histogram', x: x('amount', 'quantitative') }),
    salesChart({
      mark: 'bar',
      x: x('category', 'nominal', { sort: '-y' }),
      y: x('qty', 'quantitative', { aggregate: 'sum' })
    })
  ];
}

/** Publishes the notebook for anyone with the link. */
export function publishPublicly(db: Db, dataDir: string, userId: UserId, notebookId: NotebookId) {
  return publish(db, { dataDir, secretBox: () => secretBox(BENCH_KEY) }, userId, notebookId, {
    visibility: 'public'
  });
}
