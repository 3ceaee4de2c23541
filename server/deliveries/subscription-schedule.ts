// Daily and weekly deliveries: subscriptions whose next time has come are claimed (their next time moved on in
// the same conditional update, so two servers, or a restart, do not both deliver it) and queued in the outbox.
// "After each refresh" ones are queued by after-refresh.ts instead.
import type { Queryable } from '../db/types';
import type { NotebookId } from '../ids';
import { nextLocalTime } from './local-time';
import { enqueue } from './outbox';

export async function queueDueSubscriptions(db: Queryable, now = new Date()): Promise<number> {
  const due = await db.query<{
    id: string;
    notebook_id: NotebookId;
    minute_of_day: number;
    weekday: number | null;
    time_zone: string;
    next_at: Date;
  }>(
    `select s.id, s.notebook_id, s.minute_of_day, s.weekday, s.time_zone, s.next_at from subscriptions s
       join publications p on p.notebook_id = s.notebook_id and p.visibility <> 'off'
      where s.next_at <= $1 and s.cadence in ('daily', 'weekly') order by s.next_at limit 200`,
    [now]
  );
  let queued = 0;
  for (const s of due) {
    const next = nextLocalTime(
      { minuteOfDay: s.minute_of_day, weekday: s.weekday, timeZone: s.time_zone },
      now
    );
    const won = await db.query(
      'update subscriptions set next_at = $2 where id = $1 and next_at = $3 returning id',
      [s.id, next, s.next_at]
    );
    if (won.length === 0) continue;
    await enqueue(db, [{ notebookId: s.notebook_id, subscriptionId: s.id, content: { type: 'dashboard' } }]);
    queued++;
  }
  return queued;
}
