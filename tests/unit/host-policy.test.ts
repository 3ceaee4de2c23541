import { describe, expect, it } from 'vitest';
import { checkHost, isLocalAddress } from '../../server/connectors/host-policy';

const resolvesTo =
  (...ips: string[]) =>
  async () =>
    ips;

describe('where connections may go', () => {
  it('knows loopback, link-local and unspecified addresses, also IPv4-mapped', () => {
    for (const ip of [
      '127.0.0.1',
      '127.8.9.10',
      '0.0.0.0',
      '169.254.169.254',
      '::1',
      '::',
      'fe80::1',
      '::ffff:127.0.0.1'
    ])
      expect(isLocalAddress(ip), ip).toBe(true);
    for (const ip of ['10.0.0.5', '192.168.1.20', '172.16.3.4', '8.8.8.8', '2001:db8::1', '::ffff:10.1.2.3'])
      expect(isLocalAddress(ip), ip).toBe(false);
  });

  it('refuses hosts that resolve to this machine or the cloud metadata address, unless allowed', async () => {
    await expect(checkHost('127.0.0.1', [])).rejects.toThrow(/does not connect to 127\.0\.0\.1/);
    await expect(checkHost('sneaky.example', [], resolvesTo('10.0.0.1', '127.0.0.1'))).rejects.toThrow(
      /CONNECTION_ALLOW_HOSTS/
    );
    await expect(checkHost('metadata.internal', [], resolvesTo('169.254.169.254'))).rejects.toThrow();
    await expect(checkHost('db.internal', [], resolvesTo('10.0.0.7'))).resolves.toBeUndefined();
    await expect(checkHost('localhost', ['localhost'], resolvesTo('127.0.0.1'))).resolves.toBeUndefined();
    await expect(checkHost('127.0.0.1', ['*'])).resolves.toBeUndefined();
  });
});
