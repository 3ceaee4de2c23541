// The scheduled-refresh rule (server/publish/next-run.ts): hourly is an hour later and daily 24 hours later, across
// day, month, year and leap-day boundaries; off has no next run. The claim of a due refresh reads the same rule
// through nextRunsJson, so both are checked here.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextRun, nextRunsJson } from '../../server/publish/next-run';

const at = (iso: string) => new Date(iso);
const next = (schedule: 'off' | 'hourly' | 'daily', from: string) =>
  nextRun(schedule, at(from))?.toISOString();

describe('nextRun', () => {
  afterEach(() => vi.useRealTimers());

  it('is an hour later for hourly dashboards, into the next day when past 23:00', () => {
    expect(next('hourly', '2024-05-10T09:15:00.000Z')).toBe('2024-05-10T10:15:00.000Z');
    expect(next('hourly', '2024-05-10T23:30:00.000Z')).toBe('2024-05-11T00:30:00.000Z');
    expect(next('hourly', '2024-12-31T23:59:59.999Z')).toBe('2025-01-01T00:59:59.999Z');
  });

  it('is 24 hours later for daily dashboards, across month, leap-day and year ends', () => {
    expect(next('daily', '2024-05-10T00:00:00.000Z')).toBe('2024-05-11T00:00:00.000Z');
    expect(next('daily', '2024-02-28T23:59:59.999Z')).toBe('2024-02-29T23:59:59.999Z');
    expect(next('daily', '2024-02-29T12:00:00.000Z')).toBe('2024-03-01T12:00:00.000Z');
    expect(next('daily', '2023-12-31T18:00:00.000Z')).toBe('2024-01-01T18:00:00.000Z');
    // A fixed span: the night clocks change in Europe is still 24 hours.
    expect(next('daily', '2024-03-30T12:00:00.000Z')).toBe('2024-03-31T12:00:00.000Z');
  });

  it('has none when the schedule is off', () => {
    expect(nextRun('off', at('2024-05-10T09:15:00.000Z'))).toBeNull();
    expect(nextRun('off')).toBeNull();
  });

  it('counts from now when not told otherwise', () => {
    vi.useFakeTimers();
    vi.setSystemTime(at('2024-06-30T23:45:00.000Z'));
    expect(nextRun('hourly')?.toISOString()).toBe('2024-07-01T00:45:00.000Z');
    expect(nextRun('daily')?.toISOString()).toBe('2024-07-01T23:45:00.000Z');
  });
});

describe('nextRunsJson', () => {
  it('gives the same times as nextRun for each schedule that runs, and none for off', () => {
    const from = at('2024-05-10T23:30:00.000Z');
    expect(JSON.parse(nextRunsJson(from))).toEqual({
      hourly: '2024-05-11T00:30:00.000Z',
      daily: '2024-05-11T23:30:00.000Z'
    });
  });
});
