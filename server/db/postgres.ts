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
      const rows = await sql.unsafe(text, params as Params, { prepare: true });
      return [...rows] as unknown as T[];
    }
  };
}

export async function openPostgres(url: string, schema?: string): Promise<Db> {
  if (schema) {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      // Servers starting together race here too: `if not exists` does not stop the second one (PostgreSQL
      // refuses it with a duplicate pg_namespace row), so they take turns, under the migrations' lock.
      await admin.begin(async (tx) => {
        await tx.unsafe('select pg_advisory_xact_lock(7316001)');
        await tx.unsafe(`create schema if not exists "${schema}"`);
      });
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
