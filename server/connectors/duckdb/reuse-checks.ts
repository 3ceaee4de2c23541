// Whether a file-connection query's child (query-process.ts) may run the next query on its DuckDB instance, which
// it keeps between queries of one connection. Each query gets a connection of its own, closed after it, which takes
// its temp tables, views and macros, prepared statements, variables and session settings with it; the instance's
// settings are locked (sandbox.ts). What a query could still leave behind lives in the instance: objects created in
// a Parquet connection's writable in-memory database, attached in-memory databases, and the few global switches a
// SELECT can flip despite the lock (`select * from enable_logging()`). So a child is reused only after a query whose
// every statement is a SELECT, and only if the instance looks as it did before the first query.
import {
  StatementType,
  type DuckDBConnection,
  type DuckDBInstance,
  type DuckDBResult,
  type DuckDBValue
} from '@duckdb/node-api';

/**
 * The instance's shared state, as one digest: databases, schemas, tables, views, sequences, types and indexes, and
 * every setting's global value. The `temp` database is the reading connection's own (new, with a new oid, on each
 * connection). Macros are not listed (reading duckdb_functions() costs ~100 ms): creating one takes a CREATE
 * statement, which retires the child by itself.
 */
const STATE = `select md5(string_agg(v, '|' order by v)) as state from (
  select 'database ' || d::varchar as v from duckdb_databases() d where database_name <> 'temp'
  union all select 'schema ' || s::varchar from duckdb_schemas() s where database_name <> 'temp'
  union all select 'table ' || t::varchar from duckdb_tables() t where database_name <> 'temp'
  union all select 'view ' || v::varchar from duckdb_views() v where not internal and database_name <> 'temp'
  union all select 'sequence ' || q::varchar from duckdb_sequences() q where database_name <> 'temp'
  union all select 'type ' || y::varchar from duckdb_types() y where not internal and database_name <> 'temp'
  union all select 'index ' || i::varchar from duckdb_indexes() i where database_name <> 'temp'
  union all select 'setting ' || c::varchar from duckdb_settings() c)`;

/** The digest of the instance's shared state, read on a connection of its own. */
export async function instanceState(instance: DuckDBInstance): Promise<string> {
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(STATE)).getRows();
    return String(rows[0]?.[0]);
  } finally {
    connection.closeSync();
  }
}

/**
 * Runs `text` as DuckDB's own stream() does (every statement but the last run, the last one streamed, `params`
 * bound to it). `kinds.onlySelects` turns false before a statement other than a SELECT runs; a statement that
 * fails to prepare has not run, so after an error it still says whether everything that ran was a SELECT.
 */
export async function streamStatements(
  connection: DuckDBConnection,
  text: string,
  params: DuckDBValue[],
  kinds: { onlySelects: boolean }
): Promise<DuckDBResult> {
  const statements = await connection.extractStatements(text);
  for (let i = 0; i < statements.count; i++) {
    const prepared = await statements.prepare(i);
    try {
      if (prepared.statementType !== StatementType.SELECT) kinds.onlySelects = false;
      if (i < statements.count - 1) {
        await prepared.run();
        continue;
      }
      if (params.length) prepared.bind(params);
      return await prepared.stream();
    } finally {
      prepared.destroySync();
    }
  }
  throw new Error('There is no statement to run.');
}
