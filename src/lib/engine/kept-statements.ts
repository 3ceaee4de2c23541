// Connections and prepared statements kept open between runs of the same cell, for queries run again and again with
// other values (a published dashboard's cards as a viewer filters). A run then costs one message to DuckDB-WASM's
// worker (run the prepared statement, the whole result in the answer) instead of seven (connect, prepare, send,
// fetch twice, close the statement, disconnect): the worker answers messages one at a time, and between two of one
// card's messages it serves every other card's, so each card's result waited for nearly all the others'.
// A statement prepared before the tables changed is prepared again (`tablesChanged`): it may be bound to a table
// that has since been replaced.
import type { AsyncDuckDB, AsyncDuckDBConnection, AsyncPreparedStatement } from '@duckdb/duckdb-wasm';

/** Statements kept per connection: a cell has one query text, but a list input's length changes it ([$1, $2]). */
const STATEMENTS_PER_CONNECTION = 4;

type Kept = {
  conn: Promise<AsyncDuckDBConnection>;
  /** By query text, least recently used first; each with the tables' version it was prepared at. */
  statements: Map<string, { version: number; statement: Promise<AsyncPreparedStatement> }>;
};

export class KeptStatements {
  private kept = new Map<string, Kept>(); // cell id → its connection and statements
  private version = 0;

  /** Tables were created, replaced or dropped: statements prepared before are prepared again when next used. */
  tablesChanged(): void {
    this.version++;
  }

  /** The cell's connection, opened on first use and kept. */
  connection(db: AsyncDuckDB, cellId: string): Promise<AsyncDuckDBConnection> {
    return this.entry(db, cellId).conn;
  }

  /**
   * `sql` prepared on the cell's connection: the kept statement when the tables have not changed since it was
   * prepared, else a new one. `fresh` says which (a kept one that fails may be tried once more, prepared anew).
   */
  async statement(
    db: AsyncDuckDB,
    cellId: string,
    sql: string
  ): Promise<{ statement: AsyncPreparedStatement; fresh: boolean }> {
    const entry = this.entry(db, cellId);
    const found = entry.statements.get(sql);
    entry.statements.delete(sql);
    if (found?.version === this.version) {
      entry.statements.set(sql, found); // most recently used last
      const statement = await found.statement.catch(() => null);
      if (statement) return { statement, fresh: false };
    } else if (found) void close(found.statement);
    const conn = await entry.conn;
    const statement = conn.prepare(sql);
    // A statement that could not be prepared is not kept: the next run prepares it again (and says why it fails).
    statement.catch(() => {
      if (entry.statements.get(sql)?.statement === statement) entry.statements.delete(sql);
    });
    entry.statements.set(sql, { version: this.version, statement });
    while (entry.statements.size > STATEMENTS_PER_CONNECTION) {
      const [oldest, kept] = entry.statements.entries().next().value!;
      entry.statements.delete(oldest);
      void close(kept.statement);
    }
    return { statement: await statement, fresh: true };
  }

  /** Forgets the statement (it failed): the next run prepares it again. */
  drop(cellId: string, sql: string): void {
    const entry = this.kept.get(cellId);
    const found = entry?.statements.get(sql);
    if (!found) return;
    entry!.statements.delete(sql);
    void close(found.statement);
  }

  /** Forgets every connection and statement; `open` (the engine still running) closes them too. */
  clear(open: boolean): void {
    const kept = [...this.kept.values()];
    this.kept.clear();
    if (!open) return;
    for (const k of kept) {
      for (const s of k.statements.values()) void close(s.statement);
      void k.conn.then((c) => c.close()).catch(() => undefined);
    }
  }

  private entry(db: AsyncDuckDB, cellId: string): Kept {
    let entry = this.kept.get(cellId);
    if (!entry) {
      const conn = db.connect();
      const made: Kept = { conn, statements: new Map() };
      // A connection that could not be opened is asked for again by the next run.
      conn.catch(() => {
        if (this.kept.get(cellId) === made) this.kept.delete(cellId);
      });
      this.kept.set(cellId, made);
      entry = made;
    }
    return entry;
  }
}

async function close(statement: Promise<AsyncPreparedStatement>): Promise<void> {
  await (await statement.catch(() => null))?.close().catch(() => undefined);
}
