// "3 minutes ago" for timestamps in lists.
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60]
];
const fmt = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function relativeTime(date: Date | string, now = Date.now()): string {
  const s = (new Date(date).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(s) >= size) return fmt.format(Math.round(s / size), unit);
  }
  return 'just now';
}
