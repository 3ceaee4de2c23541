// The pure parts of deliveries: local delivery times across time zones and DST, alert rules, which webhook URLs
// are accepted, unsubscribe tokens, and the retry backoff.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { holds } from '../../server/deliveries/alert-rule';
import { nextLocalTime, TimeZoneSchema } from '../../server/deliveries/local-time';
import { backoffMs } from '../../server/deliveries/outbox';
import { readUnsubscribeToken, unsubscribeToken } from '../../server/deliveries/unsubscribe-token';
import { allowedHost, WebhookUrlSchema } from '../../server/deliveries/webhook-url';

describe('nextLocalTime', () => {
  const at = (iso: string) => new Date(iso);
  it('is today at the time in the subscriber’s zone, or tomorrow once it has passed', () => {
    const s = { minuteOfDay: 8 * 60, weekday: null, timeZone: 'Europe/Paris' };
    expect(nextLocalTime(s, at('2024-01-15T06:00:00Z')).toISOString()).toBe('2024-01-15T07:00:00.000Z');
    expect(nextLocalTime(s, at('2024-01-15T07:00:00Z')).toISOString()).toBe('2024-01-16T07:00:00.000Z');
    // Summer time: Paris is UTC+2.
    expect(nextLocalTime(s, at('2024-07-15T05:00:00Z')).toISOString()).toBe('2024-07-15T06:00:00.000Z');
  });
  it('follows the zone across a DST change and across the date line', () => {
    const ny = { minuteOfDay: 9 * 60, weekday: null, timeZone: 'America/New_York' };
    // 2024-03-10: clocks go forward at 02:00; 09:00 is then UTC-4.
    expect(nextLocalTime(ny, at('2024-03-09T15:00:00Z')).toISOString()).toBe('2024-03-10T13:00:00.000Z');
    const tokyo = { minuteOfDay: 0, weekday: null, timeZone: 'Asia/Tokyo' };
    expect(nextLocalTime(tokyo, at('2024-01-15T14:59:00Z')).toISOString()).toBe('2024-01-15T15:00:00.000Z');
  });
  it('picks the weekday in the subscriber’s zone', () => {
    const monday = { minuteOfDay: 8 * 60, weekday: 1, timeZone: 'Europe/Paris' };
    // Wednesday 2024-01-17 → Monday 2024-01-22 08:00 Paris.
    expect(nextLocalTime(monday, at('2024-01-17T12:00:00Z')).toISOString()).toBe('2024-01-22T07:00:00.000Z');
  });
  it('refuses names that are not time zones', () => {
    expect(TimeZoneSchema.safeParse('Europe/Paris').success).toBe(true);
    expect(TimeZoneSchema.safeParse('Mars/Olympus').success).toBe(false);
  });
});

describe('alert rules', () => {
  it('compare with a value', () => {
    const r = { rule: 'threshold' as const, column: 'x', op: '>' as const, value: 100 };
    expect(holds(r, 101, null)).toBe(true);
    expect(holds(r, 100, null)).toBe(false);
    expect(holds({ ...r, op: '<=' }, 100, null)).toBe(true);
    expect(holds({ ...r, op: '<>' }, 100, null)).toBe(false);
  });
  it('compare with the previous refresh, in percent either way', () => {
    const r = { rule: 'change' as const, column: 'x', percent: 10 };
    expect(holds(r, 111, null)).toBe(false); // nothing to compare with yet
    expect(holds(r, 111, 100)).toBe(true);
    expect(holds(r, 110, 100)).toBe(false);
    expect(holds(r, 89, 100)).toBe(true);
    expect(holds(r, 5, 0)).toBe(true);
  });
});

describe('webhook URLs', () => {
  const check = (url: string) => WebhookUrlSchema.safeParse(url);
  it('take https, and http only to hosts on the allow list', () => {
    expect(check('https://hooks.slack.com/services/T/B/x').success).toBe(true);
    expect(check('http://hooks.slack.com/services/T/B/x').success).toBe(false);
    expect(check('javascript:alert(1)').success).toBe(false);
    expect(check(`https://x.test/${'a'.repeat(2000)}`).success).toBe(false);
    expect(allowedHost('127.0.0.1', ['127.0.0.1'])).toBe(true);
    expect(allowedHost('127.0.0.1', ['localhost'])).toBe(false);
    expect(allowedHost('[::1]', ['::1'])).toBe(true);
  });
});

describe('unsubscribe tokens', () => {
  it('name their subscription and cannot be forged or moved to another', () => {
    const key = randomBytes(32);
    const token = unsubscribeToken('abcdefghijklmnop', key);
    expect(readUnsubscribeToken(token, key)).toBe('abcdefghijklmnop');
    expect(readUnsubscribeToken(token, randomBytes(32))).toBeNull();
    expect(readUnsubscribeToken(token.replace('abcdefghijklmnop', 'abcdefghijklmnoq'), key)).toBeNull();
    expect(readUnsubscribeToken('abcdefghijklmnop', key)).toBeNull();
  });
});

describe('backoff', () => {
  it('doubles from the base and stops growing at six hours', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, 60_000))).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(backoffMs(30, 60_000)).toBe(6 * 3600_000);
  });
});
