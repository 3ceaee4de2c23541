// "Daily at 08:00" and "Mondays at 08:00" in the subscriber's time zone, as the next instant after `now`. Uses the
// runtime's time-zone data (Intl); a local time that does not exist on a day (a DST gap) comes out an hour later,
// one that exists twice comes out at the first.
import { z } from 'zod';

export const TimeZoneSchema = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'That is not a time zone (use a name like Europe/Paris or America/New_York).');

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock time in `tz` at `instant`, read as if it were UTC (ms). */
function wallClock(tz: string, instant: number): number {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit'
    });
    formatters.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

/** The instant at which `tz`'s clocks show `wall` (ms, read as UTC). */
function fromWallClock(tz: string, wall: number): number {
  let guess = wall - (wallClock(tz, wall) - wall);
  guess = wall - (wallClock(tz, guess) - guess);
  return guess;
}

export type LocalSchedule = { minuteOfDay: number; weekday: number | null; timeZone: string };

/** The next time after `now` that the schedule names (`weekday`: 0 Sunday … 6 Saturday; null every day). */
export function nextLocalTime(s: LocalSchedule, now = new Date()): Date {
  const today = wallClock(s.timeZone, now.getTime());
  const midnight = today - (today % 86_400_000);
  for (let day = 0; day <= 8; day++) {
    const wall = midnight + day * 86_400_000 + s.minuteOfDay * 60_000;
    if (s.weekday !== null && new Date(wall).getUTCDay() !== s.weekday) continue;
    const at = fromWallClock(s.timeZone, wall);
    if (at > now.getTime()) return new Date(at);
  }
  throw new Error('unreachable: a week always holds the day');
}
