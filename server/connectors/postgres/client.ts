// postgres.js clients for a workspace's connection: a pool per connection (its size is the connection's limit
// on concurrent queries; more wait for a free slot), and one client only for cancelling, so a cancel never
// queues behind the queries it is meant to stop. Tests and schema reads get a client of their own for the one
// piece of work, under its deadline. Every client opens its sockets through a budget (see sockets.ts).
import type net from 'node:net';
import postgres from 'postgres';
import { MAX_CONNECT_ATTEMPTS, type Deadline } from '../deadline';
import type { Pinned } from '../host-policy';
import type { NetworkSettings } from '../settings';
import type { NetworkConnection } from '../store';
import { SocketBudget } from './sockets';

/** Per attempt; the work as a whole has its own deadline (deadline.ts). */
export const CONNECT_TIMEOUT_S = 10;
/** A shared client that opens more than its size plus a few sockets within this long is looping (sockets.ts). */
const BURST_MS = 2000;

export type Target = { settings: NetworkSettings; password: string | undefined };

/** postgres.js documents `socket` (a function returning the socket to use), but its types leave it out. */
export type ClientOptions = postgres.Options<Record<string, never>> & { socket: () => net.Socket };

export function clientOptions(
  t: Target,
  max: number,
  budget = new SocketBudget(max + MAX_CONNECT_ATTEMPTS, BURST_MS)
): ClientOptions {
  const s: Pinned<NetworkSettings> = t.settings;
  // The address the host name was vetted at (see host-policy); certificates are still checked against the name.
  const host = s.address ?? s.host;
  return {
    socket: budget.socketTo(host, s.port),
    host,
    port: s.port,
    database: s.database,
    username: s.user,
    password: t.password ?? '',
    ssl:
      s.ssl === 'disable'
        ? false
        : s.ssl === 'verify-full' && s.address
          ? { rejectUnauthorized: true, servername: s.host }
          : s.ssl,
    max,
    connect_timeout: CONNECT_TIMEOUT_S,
    idle_timeout: 60,
    max_lifetime: 30 * 60,
    prepare: false, // user SQL is one-off; keeping prepared statements would only fill the server's memory
    onnotice: () => {},
    // Belt and braces: sessions start read-only as well as every transaction we open.
    connection: { application_name: 'sheaf', default_transaction_read_only: true },
    // Values are decoded by us (binary COPY) or kept as text; postgres.js's own parsers would cost time.
    fetch_types: false
  };
}

/**
 * Runs `work` on a fresh one-connection client: at most MAX_CONNECT_ATTEMPTS sockets, none once `d` has run out
 * (those open are destroyed then), and the client ended whatever happens.
 */
export async function withOneOffClient<T>(
  t: Target,
  d: Deadline,
  work: (sql: postgres.Sql) => Promise<T>
): Promise<T> {
  const budget = new SocketBudget(MAX_CONNECT_ATTEMPTS, null, d.signal);
  const sql = postgres(clientOptions(t, 1, budget));
  try {
    return await d.race(work(sql));
  } finally {
    await sql.end({ timeout: 0 }).catch(() => {});
    budget.closeAll();
  }
}

type Clients = { version: string; pool: postgres.Sql; control: postgres.Sql };
const clients = new Map<string, Clients>();

export function clientsFor(c: NetworkConnection): Clients {
  const have = clients.get(c.id);
  if (have && have.version === c.version) return have;
  if (have) void closeClients(have);
  const made = {
    version: c.version,
    pool: postgres(clientOptions(c, c.settings.maxConcurrent)),
    control: postgres(clientOptions(c, 1))
  };
  clients.set(c.id, made);
  return made;
}

async function closeClients(c: Clients) {
  await Promise.allSettled([c.pool.end({ timeout: 30 }), c.control.end({ timeout: 5 })]);
}

export async function forgetClients(connectionId: string): Promise<void> {
  const c = clients.get(connectionId);
  clients.delete(connectionId);
  if (c) await closeClients(c);
}
