// Where connections may go. Sign-up is open and anyone can add a connection to their own workspace, so by
// default the server will not connect to its own machine (loopback: Sheaf's database and other local services
// may trust local connections) or to link-local addresses (cloud metadata services). Private networks stay
// allowed: that is where teams' databases live. Operators list exceptions in CONNECTION_ALLOW_HOSTS. Addresses
// are compared as addresses, not text (see local-address.ts): `::ffff:7f00:1` is 127.0.0.1.
import { lookup } from 'node:dns/promises';
import { loadConfig } from '../config';
import { canonicalAddress, localAddress, parseAddress, type LocalAddress } from './local-address';
import { QueryError, type ConnectProblem } from './query-error';

export { isLocalAddress } from './local-address';

type Resolve = (host: string) => Promise<string[]>;

const resolveAll: Resolve = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/** A host the policy will not connect to; `problem` is what "Test connection" reports. */
export class HostRefused extends QueryError {
  readonly problem: ConnectProblem;
  constructor(problem: ConnectProblem, message: string) {
    super('connect', message);
    this.problem = problem;
  }
}

type AllowList = { any: boolean; names: Set<string>; addresses: Set<string> };

/** CONNECTION_ALLOW_HOSTS: `*`, host names (as typed, any case), and addresses (however they are spelled). */
function allowList(entries: string[]): AllowList {
  const list: AllowList = { any: false, names: new Set(), addresses: new Set() };
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === '*') list.any = true;
    const address = parseAddress(entry);
    if (address) list.addresses.add(canonicalAddress(address));
    else if (entry) list.names.add(entry);
  }
  return list;
}

const DESCRIBED: Record<LocalAddress['kind'], string> = {
  loopback: 'this machine (loopback)',
  unspecified: 'an unspecified address, which reaches this machine',
  'link-local': 'a link-local address (where cloud metadata services answer)'
};

/**
 * Throws a readable error when `host` resolves to an address connections may not reach. Otherwise returns the
 * vetted address to connect to, for a host name: connecting to the name again would resolve it again, and a name
 * whose DNS answer changes between the check and the connection (DNS rebinding) would slip through. Null when
 * there is nothing to pin (an IP address, in any spelling getaddrinfo reads the same way, or an allowed host).
 */
export async function checkHost(
  host: string,
  allow: string[] = loadConfig().connectionAllowHosts,
  resolve: Resolve = resolveAll
): Promise<string | null> {
  const allowed = allowList(allow);
  if (allowed.any) return null;
  const literal = parseAddress(host);
  if (!literal && allowed.names.has(host.trim().toLowerCase())) return null;
  let addresses: string[];
  try {
    addresses = literal ? [canonicalAddress(literal)] : await resolve(host);
  } catch {
    // Not left to the driver: its own lookup a moment later could get another answer, one never checked.
    throw new HostRefused(
      'dns',
      `Could not find the host "${host}" (DNS lookup failed). Check the host name.`
    );
  }
  for (const a of addresses) {
    const local = localAddress(a);
    if (!local) continue;
    if (allowed.addresses.has(canonicalAddress(parseAddress(a)!)) || allowed.addresses.has(local.address))
      continue;
    const shown = host.trim().toLowerCase() === local.address ? '' : ` (${local.address})`;
    throw new HostRefused(
      'refused',
      `This server does not connect to ${host}${shown}: it is ${DESCRIBED[local.kind]}. ` +
        'An administrator can allow it with CONNECTION_ALLOW_HOSTS.'
    );
  }
  return literal ? null : (addresses[0] ?? null);
}

/** Network settings with the address the host name was vetted at (never stored; set per connection attempt). */
export type Pinned<S> = S & { address?: string };

/** The settings to connect with: the host checked, and its vetted address pinned. */
export async function pinned<S extends { host: string }>(settings: S): Promise<Pinned<S>> {
  const address = await checkHost(settings.host);
  return address ? { ...settings, address } : settings;
}
