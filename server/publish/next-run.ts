// When a scheduled dashboard refreshes next. Publishing, changing the schedule, finishing a refresh and claiming a
// due one all move the time on; they must agree, so the rule is written once, here, and the SQL that claims due
// refreshes receives its result instead of repeating it.
import type { Schedule } from '../../cells/published';

/** How long after a refresh (or publishing) the next one is due; a fixed span, not a calendar day or hour. */
const EVERY_MS: Record<Exclude<Schedule, 'off'>, number> = {
  hourly: 3_600_000,
  daily: 86_400_000
};

/** The next refresh for a dashboard on `schedule`, counted from `from`; none when the schedule is off. */
export function nextRun(schedule: Schedule, from: Date = new Date()): Date | null {
  return schedule === 'off' ? null : new Date(from.getTime() + EVERY_MS[schedule]);
}

/** The next refresh for each schedule that has one, as a JSON object keyed by schedule (for SQL to pick from). */
export function nextRunsJson(from: Date): string {
  const next = Object.fromEntries(
    (Object.keys(EVERY_MS) as Exclude<Schedule, 'off'>[]).map((s) => [s, nextRun(s, from)!.toISOString()])
  );
  return JSON.stringify(next);
}
