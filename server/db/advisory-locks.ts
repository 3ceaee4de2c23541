// Locks that several app servers on one PostgreSQL take turns on, for work too long to hold a transaction open
// (publishing builds a snapshot for seconds or minutes): a session-level advisory lock held on a connection of a
// small pool of its own, so holders and waiters never take the connections their work needs from the app's pool.
// If the process dies, PostgreSQL ends its sessions and so releases its locks.
import postgres from 'postgres';

/** Connections for locks; more holders or waiters than this in one process queue for a connection first. */
const LOCK_CONNECTIONS = 20;

export function advisoryLocks(url: string) {
  let sql: postgres.Sql | null = null;
  return {
    async exclusively<T>(key: string, fn: () => Promise<T>): Promise<T> {
      sql ??= postgres(url, { max: LOCK_CONNECTIONS, idle_timeout: 60, onnotice: () => {} });
      const conn = await sql.reserve();
      try {
        // hashtext: a 32-bit key; two names sharing one only makes their holders take turns needlessly.
        await conn`select pg_advisory_lock(hashtext(${key}))`;
        try {
          return await fn();
        } finally {
          await conn`select pg_advisory_unlock(hashtext(${key}))`.catch(() => undefined);
        }
      } finally {
        conn.release();
      }
    },
    async close() {
      await sql?.end({ timeout: 5 });
    }
  };
}
