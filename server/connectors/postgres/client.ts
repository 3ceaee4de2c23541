// postgres.js clients for a workspace's connection: a pool per connection (its size is the connection's limit
// on concurrent queries; more wait for a free slot), one client only for cancelling, so a cancel never queues
// behind the queries (or a slow schema read) it is meant to stop, and one for reading the schema.
import postgres from 'postgres';
import type { Pinned } from '../host-policy';
import type { NetworkSettings } from '../settings';
import type { NetworkConnection } from '../store';

export const CONNECT_TIMEOUT_S = 10;

export type Target = { settings: NetworkSettings; password: string | undefined };

export function clientOptions(t: Target, max: number): postgres.Options<Record<string, never>> {
  const s: Pinned<NetworkSettings> = t.settings;
  return {
    // The address the host name was vetted at (see host-policy); certificates are still checked against the name.
    host: s.address ?? s.host,
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

type Clients = { version: string; pool: postgres.Sql; control: postgres.Sql; meta: postgres.Sql };
const clients = new Map<string, Clients>();

export function clientsFor(c: NetworkConnection): Clients {
  const have = clients.get(c.id);
  if (have && have.version === c.version) return have;
  if (have) void closeClients(have);
  const made = {
    version: c.version,
    pool: postgres(clientOptions(c, c.settings.maxConcurrent)),
    control: postgres(clientOptions(c, 1)),
    meta: postgres(clientOptions(c, 1))
  };
  clients.set(c.id, made);
  return made;
}

async function closeClients(c: Clients) {
  await Promise.allSettled([
    c.pool.end({ timeout: 30 }),
    c.control.end({ timeout: 5 }),
    c.meta.end({ timeout: 5 })
  ]);
}

export async function forgetClients(connectionId: string): Promise<void> {
  const c = clients.get(connectionId);
  clients.delete(connectionId);
  if (c) await closeClients(c);
}
