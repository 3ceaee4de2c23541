// Where connections may go. Sign-up is open and anyone can add a connection to their own workspace, so by
// default the server will not connect to its own machine (loopback: Sheaf's database and other local services
// may trust local connections) or to link-local addresses (cloud metadata services). Private networks stay
// allowed: that is where teams' databases live. Operators list exceptions in CONNECTION_ALLOW_HOSTS.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { loadConfig } from '../config';
import { QueryError } from './query-error';

type Resolve = (host: string) => Promise<string[]>;

const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/** Loopback, link-local or unspecified, in IPv4, IPv6 or IPv4-mapped IPv6. */
export function isLocalAddress(ip: string): boolean {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? (isIP(ip) === 4 ? ip : null);
  if (v4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return a === 127 || a === 0 || (a === 169 && b === 254);
  }
  const v6 = ip.toLowerCase();
  return v6 === '::1' || v6 === '::' || /^fe[89ab][0-9a-f]:/.test(v6);
}

/**
 * Throws a readable error when `host` resolves to an address connections may not reach. Otherwise returns the
 * vetted address to connect to, for a host name: connecting to the name again would resolve it again, and a name
 * whose DNS answer changes between the check and the connection (DNS rebinding) would slip through. Null when
 * there is nothing to pin (an IP address, an allowed host, or a name that does not resolve — the driver then says so).
 */
export async function checkHost(
  host: string,
  allow: string[] = loadConfig().connectionAllowHosts,
  resolve: Resolve = resolveAll
): Promise<string | null> {
  if (allow.includes('*') || allow.includes(host.toLowerCase())) return null;
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    return null;
  }
  const local = addresses.find((a) => isLocalAddress(a) && !allow.includes(a));
  if (local) {
    throw new QueryError(
      'connect',
      `This server does not connect to ${host} (${local}): it is this machine or a link-local address. ` +
        'An administrator can allow it with CONNECTION_ALLOW_HOSTS.'
    );
  }
  return isIP(host) ? null : (addresses[0] ?? null);
}

/** Network settings with the address the host name was vetted at (never stored; set per connection attempt). */
export type Pinned<S> = S & { address?: string };

/** The settings to connect with: the host checked, and its vetted address pinned. */
export async function pinned<S extends { host: string }>(settings: S): Promise<Pinned<S>> {
  const address = await checkHost(settings.host);
  return address ? { ...settings, address } : settings;
}
