// Checking a dashboard's alerts after a refresh: the watched values are read from the refresh's own tables while
// its workbench is open (readWatched: the first row's column of each watched result), then compared with each
// alert's stored state. A notice goes to the alert's subscribers when it starts to hold (once per crossing, not
// on every refresh while it stays crossed) and when it stops (recovery). The state change is a conditional
// update, so a notice is queued once even if two refreshes finish together.
import { ident } from '../../cells/sql/quote';
import type { Queryable } from '../db/types';
import type { NotebookId } from '../ids';
import type { Workbench } from '../publish/workbench';
import { describeRule, holds } from './alert-rule';
import { ruleOf, type AlertRow } from './alerts';
import { enqueue } from './outbox';

export const alertsOf = (db: Queryable, notebookId: NotebookId) =>
  db.query<AlertRow>('select * from alerts where notebook_id = $1', [notebookId]);

const key = (cell: string, column: string) => `${cell.toLowerCase()}\u0000${column}`;

/** Each alert's value in this refresh: a number, or null (no rows, not a number, no such column or result). */
export async function readWatched(bench: Workbench, alerts: AlertRow[]): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  for (const a of alerts) {
    const k = key(a.cell_name, a.column_name);
    if (out.has(k)) continue;
    try {
      const t = await bench.query(`select ${ident(a.column_name)} as v from ${ident(a.cell_name)} limit 1`);
      const raw: unknown = t.numRows ? t.getChildAt(0)?.get(0) : null;
      const n =
        typeof raw === 'bigint'
          ? Number(raw)
          : typeof raw === 'number'
            ? raw
            : raw == null
              ? NaN
              : Number(raw);
      out.set(k, Number.isFinite(n) ? n : null);
    } catch {
      out.set(k, null);
    }
  }
  return out;
}

export async function checkAlerts(
  db: Queryable,
  notebookId: NotebookId,
  alerts: AlertRow[],
  values: Map<string, number | null>
): Promise<number> {
  let notices = 0;
  for (const a of alerts) {
    const value = values.get(key(a.cell_name, a.column_name));
    if (value === null || value === undefined) continue;
    const previous = a.last_value === null ? null : Number(a.last_value);
    const rule = ruleOf(a);
    const now = holds(rule, value, previous);
    const changed = await db.query(
      `update alerts set crossed = $2, last_value = $3 where id = $1 and crossed = $4 returning id`,
      [a.id, now, value, a.crossed]
    );
    if (changed.length === 0 || now === a.crossed) continue;
    const subs = await db.query<{ id: string }>('select id from subscriptions where alert_id = $1', [a.id]);
    await enqueue(
      db,
      subs.map((s) => ({
        notebookId,
        subscriptionId: s.id,
        content: {
          type: 'alert' as const,
          alertId: a.id,
          crossed: now,
          rule: describeRule(rule, a.cell_name),
          value,
          previous
        }
      }))
    );
    notices += subs.length;
  }
  return notices;
}
