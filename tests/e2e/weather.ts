// The dataset the e2e specs upload (shipped by the vega-datasets package), and native DuckDB over the same file
// to compute what Sheaf should show, independently of Sheaf.
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const WEATHER = path.resolve('node_modules/vega-datasets/data/seattle-weather.csv');

/** Runs `sql` in native DuckDB, where `seattle_weather` is the original CSV. */
export async function nativeWeather<T>(sql: string): Promise<T[]> {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`create view seattle_weather as select * from read_csv_auto('${WEATHER}')`);
  const r = await conn.runAndReadAll(sql);
  conn.closeSync();
  return r.getRowObjectsJson() as T[];
}
