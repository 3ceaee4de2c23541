// Db over a PostgreSQL server through postgres.js.
import postgres from 'postgres';
import { advisoryLocks } from './advisory-locks';
import type { Db, Row, Tx } from './types';

type Sql = postgres.Sql | postgres.TransactionSql;
// postgres.js types parameters as its own serializable union; our callers pass plain JS values.
type Params = postgres.ParameterOrJSON<never>[];

function queryable(sql: Sql) {
  return {
    async query<T extends Row = Row>(text: string, params: unknown[] = []): Promise<T[]> {
      const rows = await sql.unsafe(text, params as Params);
      return [...rows] as unknown as T[];
    }
  };
}

export async function openPostgres(url: string, schema?: string): Promise<Db> {
  if (schema) {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create schema if not exists "${schema}"`);
    } finally {
      await admin.end();
    }
  }
  const sql = postgres(url, {
    max: 10,
    onnotice: () => {},
    // Queries cast counts to int: int8 comes back as a string here and as a bigint from PGlite.
    connection: schema ? { search_path: schema } : {}
  });
  // Fail fast with a readable message when the server is not there.
  await sql`select 1`;
  const locks = advisoryLocks(url);
  return {
    kind: 'postgres',
    ...queryable(sql),
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      const result = await sql.begin(async (t) => {
        const tx: Tx = {
          ...queryable(t),
          async exec(text: string) {
            await t.unsafe(text);
          }
        };
        return fn(tx);
      });
      return result as T;
    },
    exclusively: (key, fn) => locks.exclusively(key, fn),
    async close() {
      await locks.close();
      await sql.end({ timeout: 5 });
    }
  };
}
