// Is an IP address this machine or link-local, however it is spelled? Outgoing connections made for users
// (connections today, webhooks next) must not reach loopback services or the cloud metadata address. Text
// patterns miss spellings that reach the same place (`::ffff:7f00:1`, `0:0:0:0:0:0:0:1`, `0x7f.1`, `2130706433`),
// so addresses are parsed into bytes and compared as ranges, and an IPv4 address carried inside an IPv6 one
// (mapped, compatible, SIIT, NAT64, 6to4, Teredo) is checked as the IPv4 address it leads to.

/** 4 bytes (IPv4) or 16 bytes (IPv6). */
export type AddressBytes = Uint8Array;

export type LocalKind = 'loopback' | 'unspecified' | 'link-local';

/**
 * The bytes of an IP address, or null when `text` is not one (a host name). IPv4 is read as inet_aton reads it,
 * which is what getaddrinfo and so every driver accepts: 1 to 4 parts, each decimal, octal (leading 0) or hex
 * (0x), the last part filling the remaining bytes (`127.1`, `2130706433`). IPv6 may be in brackets, carry a
 * zone id (`fe80::1%eth0`), end in a dotted IPv4 address, and be in any case.
 */
export function parseAddress(text: string): AddressBytes | null {
  let s = text.trim().toLowerCase();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.includes(':')) return parseIpv6(s.replace(/%[^%]*$/, ''));
  return parseIpv4(s);
}

function parseIpv4(s: string): AddressBytes | null {
  const parts = s.split('.');
  if (parts.length > 4) return null;
  const values: number[] = [];
  for (const p of parts) {
    let v: number;
    if (/^0x[0-9a-f]+$/.test(p)) v = parseInt(p.slice(2), 16);
    else if (/^0[0-7]*$/.test(p)) v = parseInt(p, 8);
    else if (/^[1-9][0-9]*$/.test(p)) v = parseInt(p, 10);
    else return null;
    if (!Number.isSafeInteger(v)) return null;
    values.push(v);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255) || last >= 2 ** (8 * (4 - values.length))) return null;
  const bytes = new Uint8Array(4);
  values.forEach((v, i) => (bytes[i] = v));
  for (let i = 3, rest = last; i >= values.length; i--, rest = Math.floor(rest / 256)) bytes[i] = rest % 256;
  return bytes;
}

function parseIpv6(s: string): AddressBytes | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (half: string, last: boolean): number[] | null => {
    if (half === '') return [];
    const out: number[] = [];
    const items = half.split(':');
    for (const [i, item] of items.entries()) {
      // A dotted IPv4 address may end the address (::ffff:127.0.0.1); it stands for two groups.
      if (last && i === items.length - 1 && item.includes('.')) {
        if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(item)) return null;
        const v4 = item.split('.').map(Number);
        if (v4.some((n) => n > 255)) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-f]{1,4}$/.test(item)) out.push(parseInt(item, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** The usual spelling: dotted IPv4; IPv6 as RFC 5952 writes it (lower case, longest run of zeros as ::). */
export function formatAddress(b: AddressBytes): string {
  if (b.length === 4) return b.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** The IPv4 address an IPv4-mapped IPv6 address is (the one the kernel connects to), else the address itself. */
export function canonicalAddress(b: AddressBytes): string {
  const mapped = b.length === 16 && zeros(b, 0, 10) && b[10] === 0xff && b[11] === 0xff;
  return formatAddress(mapped ? b.subarray(12) : b);
}

const zeros = (b: AddressBytes, from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
const v4 = (b: AddressBytes, ...at: number[]) => Uint8Array.from(at, (i) => b[i]!);

/**
 * The IPv4 addresses an IPv6 address leads to, by the standard ways of carrying one inside the other. `guess`:
 * one of several places the address may be, depending on a choice of the network's operator.
 */
function embeddedIpv4(b: AddressBytes): { v4: AddressBytes; guess?: true }[] {
  const found: { v4: AddressBytes; guess?: true }[] = [];
  const last = v4(b, 12, 13, 14, 15);
  const nat64 = b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b;
  // IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, SIIT ::ffff:0:0:0/96, NAT64 well-known 64:ff9b::/96.
  if (zeros(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) found.push({ v4: last });
  if (zeros(b, 0, 12)) found.push({ v4: last });
  if (zeros(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zeros(b, 10, 12)) found.push({ v4: last });
  if (nat64 && zeros(b, 4, 12)) found.push({ v4: last });
  // NAT64 local use 64:ff9b:1::/48: the operator picks the prefix length (/48 to /96), so each place RFC 6052
  // puts the address for those lengths is read.
  if (nat64 && b[4] === 0 && b[5] === 1)
    for (const at of [
      [6, 7, 9, 10],
      [7, 9, 10, 11],
      [9, 10, 11, 12],
      [12, 13, 14, 15]
    ])
      found.push({ v4: v4(b, ...at), guess: true });
  // 6to4 2002::/16.
  if (b[0] === 0x20 && b[1] === 0x02) found.push({ v4: v4(b, 2, 3, 4, 5) });
  // Teredo 2001::/32: the server, and the client, whose address is stored inverted.
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0)
    found.push({ v4: v4(b, 4, 5, 6, 7) }, { v4: last.map((x) => ~x & 0xff) });
  return found;
}

function localIpv4(b: AddressBytes): LocalKind | null {
  if (b[0] === 127) return 'loopback';
  if (b[0] === 0) return 'unspecified'; // 0.0.0.0/8: connecting to it reaches this machine
  if (b[0] === 169 && b[1] === 254) return 'link-local'; // where cloud metadata services answer
  return null;
}

export type LocalAddress = {
  kind: LocalKind;
  /** The address that is local: the one given, or the IPv4 address carried inside it. */
  address: string;
};

/** Whether `ip` (any spelling `parseAddress` reads) is this machine or link-local, and which address that is. */
export function localAddress(ip: string | AddressBytes): LocalAddress | null {
  const b = typeof ip === 'string' ? parseAddress(ip) : ip;
  if (!b) return null;
  if (b.length === 4) {
    const kind = localIpv4(b);
    return kind ? { kind, address: formatAddress(b) } : null;
  }
  if (zeros(b, 0, 16)) return { kind: 'unspecified', address: '::' };
  if (zeros(b, 0, 15) && b[15] === 1) return { kind: 'loopback', address: '::1' };
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return { kind: 'link-local', address: formatAddress(b) };
  for (const inner of embeddedIpv4(b)) {
    const kind = localIpv4(inner.v4);
    // Zeros where a guessed address would be are most likely the prefix's padding, not 0.0.0.0.
    if (kind && !(inner.guess && kind === 'unspecified')) return { kind, address: formatAddress(inner.v4) };
  }
  return null;
}

/** Loopback, link-local or unspecified, however the address is spelled. Host names are not addresses: false. */
export function isLocalAddress(ip: string): boolean {
  return localAddress(ip) !== null;
}
