import { describe, expect, it } from 'vitest';
import { checkHost, isLocalAddress } from '../../server/connectors/host-policy';
import { poolOptions } from '../../server/connectors/mysql/client';
import { clientOptions } from '../../server/connectors/postgres/client';

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
    await expect(checkHost('db.internal', [], resolvesTo('10.0.0.7'))).resolves.toBe('10.0.0.7');
    await expect(checkHost('localhost', ['localhost'], resolvesTo('127.0.0.1'))).resolves.toBeNull();
    await expect(checkHost('127.0.0.1', ['*'])).resolves.toBeNull();
  });
});

describe('DNS rebinding: the address that was checked is the one connected to', () => {
  it('returns the vetted address for a host name, nothing to pin for IPs and allowed hosts', async () => {
    expect(await checkHost('db.example', [], resolvesTo('10.1.2.3'))).toBe('10.1.2.3');
    expect(await checkHost('10.9.9.9', [], resolvesTo('127.0.0.1'))).toBeNull();
    expect(await checkHost('localhost', ['localhost'], resolvesTo('127.0.0.1'))).toBeNull();
  });

  it('drivers connect to the pinned address and still check certificates against the host name', () => {
    const settings = {
      host: 'db.example',
      address: '10.1.2.3',
      port: 5432,
      database: 'd',
      user: 'u',
      ssl: 'verify-full' as const,
      statementTimeoutS: 60,
      rowCap: 1000,
      maxConcurrent: 4
    };
    const pg = clientOptions({ settings, password: 'p' }, 1);
    expect(pg.host).toBe('10.1.2.3');
    expect(pg.ssl).toEqual({ rejectUnauthorized: true, servername: 'db.example' });
    const my = poolOptions({ settings, password: 'p' }, 1);
    expect(my.host).toBe('10.1.2.3');
    expect(my.ssl).toEqual({ rejectUnauthorized: true, servername: 'db.example' });
    const { address: _a, ...unpinned } = settings;
    expect(clientOptions({ settings: unpinned, password: 'p' }, 1).host).toBe('db.example');
  });
});
