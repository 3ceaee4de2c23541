// Db over embedded PGlite (Postgres in WebAssembly): the zero-setup default, and the test default.
import { PGlite } from '@electric-sql/pglite';
import { keyedQueue } from './keyed-queue';
import type { Db, Row, Tx } from './types';

type PgQuery = { query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }> };

function queryable(pg: PgQuery) {
  return {
    async query<T extends Row = Row>(text: string, params: unknown[] = []): Promise<T[]> {
      const res = await pg.query<T>(text, params);
      return res.rows;
    }
  };
}

/** `dir` undefined → in memory. */
export async function openPglite(dir?: string): Promise<Db> {
  const pg = await PGlite.create(dir);
  // An embedded database belongs to one process, so taking turns within it is taking turns everywhere.
  const turns = keyedQueue();
  return {
    kind: 'pglite',
    ...queryable(pg),
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return pg.transaction(async (t) => {
        const tx: Tx = {
          ...queryable(t),
          async exec(text: string) {
            await t.exec(text);
          }
        };
        return fn(tx);
      });
    },
    exclusively: (key, fn) => turns(key, fn),
    async close() {
      await pg.close();
    }
  };
}
