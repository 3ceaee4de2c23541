// mysql2 pools for a workspace's MySQL/MariaDB connection: one per connection (its size is the limit on queries
// at once), plus a one-connection pool for KILL QUERY. Every pooled session is read-only. Tests and schema reads
// get a connection of their own for the one piece of work, under its deadline.
import mysql from 'mysql2';
import type { Deadline } from '../deadline';
import type { Pinned } from '../host-policy';
import type { NetworkSettings } from '../settings';
import type { NetworkConnection } from '../store';

export const CONNECT_TIMEOUT_S = 10;

export type Target = { settings: NetworkSettings; password: string | undefined };

export function poolOptions(t: Target, max: number): mysql.PoolOptions {
  const s: Pinned<NetworkSettings> = t.settings;
  return {
    // The address the host name was vetted at (see host-policy); certificates are still checked against the name.
    host: s.address ?? s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    password: t.password ?? '',
    // mysql2 has no "prefer": only an explicit require/verify asks for TLS.
    ssl:
      s.ssl === 'require'
        ? { rejectUnauthorized: false }
        : s.ssl === 'verify-full'
          ? { rejectUnauthorized: true, ...(s.address ? { servername: s.host } : {}) }
          : undefined,
    connectionLimit: max,
    waitForConnections: true,
    connectTimeout: CONNECT_TIMEOUT_S * 1000,
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
    rowsAsArray: true
  };
}

/** A pool whose every connection starts read-only. */
export function readOnlyPool(t: Target, max: number): mysql.Pool {
  const pool = mysql.createPool(poolOptions(t, max));
  pool.on('connection', (c) => c.query('set session transaction read only'));
  return pool;
}

/**
 * Runs `work` on a fresh connection, destroyed when `d` runs out or the work ends. mysql2 makes one attempt per
 * connection (it does not reconnect), so the deadline is what bounds it.
 */
export async function withOneOffConnection<T>(
  t: Target,
  d: Deadline,
  work: (c: mysql.Connection) => Promise<T>
): Promise<T> {
  const c = mysql.createConnection(poolOptions(t, 1));
  // A failure while no command waits is emitted as 'error'; the command that waits gets it anyway.
  c.on('error', () => {});
  const stop = () => c.destroy();
  d.signal.addEventListener('abort', stop, { once: true });
  try {
    return await d.race(work(c));
  } finally {
    d.signal.removeEventListener('abort', stop);
    c.destroy();
  }
}

type Pools = { version: string; pool: mysql.Pool; control: mysql.Pool };
const pools = new Map<string, Pools>();

export function poolsFor(c: NetworkConnection): Pools {
  const have = pools.get(c.id);
  if (have && have.version === c.version) return have;
  if (have) closePools(have);
  const made = {
    version: c.version,
    pool: readOnlyPool(c, c.settings.maxConcurrent),
    control: readOnlyPool(c, 1)
  };
  pools.set(c.id, made);
  return made;
}

function closePools(p: Pools) {
  p.pool.end(() => {});
  p.control.end(() => {});
}

export function forgetPools(connectionId: string): void {
  const p = pools.get(connectionId);
  pools.delete(connectionId);
  if (p) closePools(p);
}
