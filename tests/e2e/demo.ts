// The seeded demo notebook's query, computed by native DuckDB over the same CSV: what its table should show.
import { DuckDBInstance } from '@duckdb/node-api';
import { DEMO_FLIGHTS_CSV, DEMO_QUERY } from '../../server/db/seed';

export async function demoResult(): Promise<{ hour: number; avg_delay: number; flights: number }[]> {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(`create view flights as select * from read_csv('${DEMO_FLIGHTS_CSV}')`);
  const rows = (await conn.runAndReadAll(DEMO_QUERY)).getRowObjectsJson();
  conn.closeSync();
  return rows.map((r) => ({
    hour: Number(r.hour),
    avg_delay: Number(r.avg_delay),
    flights: Number(r.flights)
  }));
}
