// What a dashboard refresh sets off: subscriptions "after each scheduled refresh" queued, alerts checked, and a
// scheduled refresh's failure (or recovery) told to its editors. Only inserts into the outbox (the sender does the
// rest in the background); never throws into the refresh, whose own outcome is already recorded.
import type { Queryable } from '../db/types';
import type { NotebookId } from '../ids';
import { checkAlerts, type alertsOf } from './alert-check';
import { kickDeliveries } from './kick';
import { enqueue } from './outbox';
import { noticeRefreshFailed, noticeRefreshRecovered } from './refresh-notices';

export type RefreshOutcome =
  | {
      ok: true;
      scheduled: boolean;
      alerts: Awaited<ReturnType<typeof alertsOf>>;
      values: Map<string, number | null>;
    }
  | { ok: false; scheduled: boolean; message: string };

export async function afterRefresh(
  db: Queryable,
  notebookId: NotebookId,
  outcome: RefreshOutcome
): Promise<void> {
  try {
    if (!outcome.ok) {
      if (outcome.scheduled) await noticeRefreshFailed(db, notebookId, outcome.message);
    } else {
      await noticeRefreshRecovered(db, notebookId);
      await checkAlerts(db, notebookId, outcome.alerts, outcome.values);
      if (outcome.scheduled) {
        const subs = await db.query<{ id: string }>(
          `select id from subscriptions where notebook_id = $1 and cadence = 'refresh'`,
          [notebookId]
        );
        await enqueue(
          db,
          subs.map((s) => ({ notebookId, subscriptionId: s.id, content: { type: 'dashboard' as const } }))
        );
      }
    }
    kickDeliveries();
  } catch (e) {
    console.error('deliveries: could not queue what a refresh sets off:', e);
  }
}
