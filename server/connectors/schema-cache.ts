// A connection's schema, read from the database once and kept until someone asks for a refresh.
import { jsonValue } from '../db/json-value';
import type { Queryable } from '../db/types';
import type { ConnectionId, UserId } from '../ids';
import { AppError } from '../errors';
import { introspect } from './engines';
import type { SecretBox } from './secret-box';
import { DatabaseSchemaSchema, type DatabaseSchema } from './schema-types';
import { openConnection } from './store';

export type CachedSchema = DatabaseSchema & { fetchedAt: string };

export async function connectionSchema(
  db: Queryable,
  box: SecretBox,
  args: { userId: UserId; connectionId: ConnectionId; refresh: boolean; signal?: AbortSignal }
): Promise<CachedSchema> {
  const conn = await openConnection(db, box, {
    userId: args.userId,
    connectionId: args.connectionId,
    // Viewers cannot run queries on connections, so they have no use for the schema (and reading it makes the
    // server log in with the stored credentials).
    needed: 'editor'
  });
  if (!args.refresh) {
    const rows = await db.query<{ schema_cache: unknown; schema_fetched_at: Date | null }>(
      'select schema_cache, schema_fetched_at from connections where id = $1',
      [conn.id]
    );
    const row = rows[0];
    const cached = DatabaseSchemaSchema.safeParse(row ? jsonValue(row.schema_cache) : undefined);
    if (row?.schema_fetched_at && cached.success)
      return { ...cached.data, fetchedAt: new Date(row.schema_fetched_at).toISOString() };
  }
  let schema: DatabaseSchema;
  try {
    schema = await introspect(conn, args.signal);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('unavailable', `Could not read the schema: ${(e as Error).message}`);
  }
  const rows = await db.query<{ schema_fetched_at: Date }>(
    'update connections set schema_cache = $2::text::jsonb, schema_fetched_at = now() where id = $1 returning schema_fetched_at',
    [conn.id, JSON.stringify(schema)]
  );
  return { ...schema, fetchedAt: new Date(rows[0]!.schema_fetched_at).toISOString() };
}
