// The server folder the DuckDB file-connection tests query (SERVER_DATA_DIR): `shop.duckdb` with a table `orders`
// of ids 0–999, and whatever else a test writes with the same DuckDB. SERVER_DATA_DIR points at it until `done`.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export type ShopFiles = { dataDir: string; done(): Promise<void> };

export async function shopFiles(
  prefix: string,
  more: (build: DuckDBConnection, dataDir: string) => Promise<unknown> = async () => undefined
): Promise<ShopFiles> {
  const root = await mkdtemp(path.join(tmpdir(), prefix));
  const dataDir = path.join(root, 'data');
  await mkdir(dataDir);
  const db = await DuckDBInstance.create(path.join(dataDir, 'shop.duckdb'));
  const build = await db.connect();
  try {
    await build.run('create table orders as select range::int as id from range(1000)');
    await more(build, dataDir);
  } finally {
    build.closeSync();
    db.closeSync();
  }
  const previous = process.env.SERVER_DATA_DIR;
  process.env.SERVER_DATA_DIR = dataDir;
  return {
    dataDir,
    async done() {
      if (previous === undefined) delete process.env.SERVER_DATA_DIR;
      else process.env.SERVER_DATA_DIR = previous;
      await rm(root, { recursive: true, force: true });
    }
  };
}
