// The one query interface the rest of the server uses; it does not know which driver is behind it.

export type Row = Record<string, unknown>;

export interface Queryable {
  /** One statement with $1, $2… parameters. */
  query<T extends Row = Row>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in a transaction; it rolls back if `fn` throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` holding the lock named `key`, after waiting for it: one holder at a time across every process on
   * this database (several app servers). For long work (building a snapshot): the lock does not hold a
   * transaction open, and `fn` uses the database as usual. Released when `fn` settles or its process dies.
   */
  exclusively<T>(key: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface Tx extends Queryable {
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}
