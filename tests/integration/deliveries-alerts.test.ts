// Alerts and refresh-failure notices through the real refresh (native DuckDB over an uploaded CSV) and a real SMTP
// server: an alert fires once when its number crosses, not again while it stays crossed, and again on recovery;
// a "changes by more than N%" alert compares with the previous refresh; a failing scheduled refresh tells the
// editors once, not on every failure, again a day later if it still fails, and again when it works. An alert on a
// table watches its first row.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlert, listAlerts } from '../../server/deliveries/alerts';
import { deliveriesPanel } from '../../server/deliveries/panel';
import { noticeRefreshFailed } from '../../server/deliveries/refresh-notices';
import { openDashboard } from '../../server/publish/open-dashboard';
import { refreshPublication } from '../../server/publish/publications';
import {
  deliveryFixture,
  logOf,
  replaceSales,
  salesDashboard,
  SALES,
  type DeliveryFixture
} from './helpers/delivery-fixture';
import { join, person, verifyEmail } from './helpers/people';
import type { NotebookId } from '../../server/ids';

let f: DeliveryFixture;
beforeAll(async () => {
  f = await deliveryFixture();
}, 120_000);
afterAll(async () => {
  await f?.cleanup();
});

const subjects = (from: number) => f.smtp.received.slice(from).map((m) => m.mail.headers.get('subject'));

/** Refreshes the dashboard (as its schedule would, with `scheduled`), then sends the mail that follows. */
async function refreshAndSend(notebookId: NotebookId, opts?: { scheduled?: boolean }) {
  await refreshPublication(f.t.db, f.deps(), notebookId, opts);
  await f.drain();
}

/** An alert on `cell.column op value`, as the form sends it. */
const threshold = (cell: string, column: string, op: string, value: number) => ({
  rule: 'threshold',
  cell,
  column,
  op,
  value
});

describe('alerts', () => {
  it('notify once per crossing and again on recovery, across refreshes', async () => {
    const { ann, nb } = await salesDashboard(f);
    const bob = await person(f.t.db, 'Watching Bob');
    await verifyEmail(f.t.db, bob);
    await join(f.t.db, ann, bob, 'viewer');
    const watch = (input: unknown) => createAlert(f.t.db, f.dataDir, bob.id, nb.id, input);
    // What the panel's form offers: each number or table result, with the columns that show numbers. A viewer's
    // panel has no delivery log.
    const panel = await deliveriesPanel(f.t.db, f.dataDir, bob.id, nb.id);
    expect(panel.log).toBeNull();
    expect(panel.alertTargets).toEqual([
      { cell: 'grand', views: ['number'], columns: ['revenue'] },
      { cell: 'by_region', views: ['table'], columns: ['total'] }
    ]);
    await expect(watch(threshold('nope', 'x', '>', 1))).rejects.toThrow(
      '"nope" is not a number or table on this dashboard.'
    );
    // The number card shows `revenue`; by_region's table shows region and total: nothing else may be watched.
    await expect(watch(threshold('by_region', 'amount', '>', 1))).rejects.toThrow(
      'The dashboard shows no column "amount" of by_region: pick one of region, total.'
    );
    await expect(watch(threshold('grand', 'revenue', '>>', 1))).rejects.toThrow();
    const alert = await watch(threshold('grand', 'revenue', '>', 100));
    expect(alert.description).toBe('grand.revenue > 100');
    const start = f.smtp.received.length;
    const refresh = () => refreshAndSend(nb.id); // by hand: alerts are checked after every refresh

    await refresh(); // 42: below
    expect(subjects(start)).toEqual([]);
    await replaceSales(f, ann, SALES + 'west,1000\n');
    await refresh(); // 1,042: crossed
    expect(subjects(start)).toEqual(['Alert on Sales board: grand.revenue > 100 (now 1,042, was 42)']);
    expect(f.smtp.received.at(-1)!.to).toEqual([bob.email]);
    await replaceSales(f, ann, SALES + 'west,2000\n');
    await refresh(); // 2,042: still crossed, no second notice
    expect(subjects(start)).toHaveLength(1);
    expect((await listAlerts(f.t.db, bob.id, nb.id))[0]!.crossed).toBe(true);
    await replaceSales(f, ann, SALES);
    await refresh(); // 42 again: recovered
    expect(subjects(start)).toEqual([
      'Alert on Sales board: grand.revenue > 100 (now 1,042, was 42)',
      'Back to normal on Sales board: grand.revenue > 100 no longer holds (now 42)'
    ]);
    await refresh(); // still fine: nothing
    expect(subjects(start)).toHaveLength(2);
    expect((await logOf(f, nb.id)).map((l) => l.what)).toEqual(['alert', 'alert recovered']);
  }, 300_000);

  it('on a table, watch its first row as the dashboard shows it', async () => {
    const { ann, nb, slug } = await salesDashboard(f);
    const panel = await deliveriesPanel(f.t.db, f.dataDir, ann.id, nb.id);
    expect(panel.log).toEqual([]); // an editor's panel has the log
    await createAlert(f.t.db, f.dataDir, ann.id, nb.id, threshold('by_region', 'total', '<', 10));
    const start = f.smtp.received.length;
    await refreshAndSend(nb.id);
    const page = await openDashboard(f.t.db, f.dataDir, slug, ann.id);
    const table = page.dashboard.items.find((i) => i.view === 'table');
    if (table?.view !== 'table') throw new Error('no table card');
    const firstTotal = table.rows[0]![table.columns.indexOf('total')]!;
    expect(subjects(start)).toEqual([`Alert on Sales board: by_region.total < 10 (now ${firstTotal})`]);
    await replaceSales(f, ann, SALES + 'east,100\n'); // the first row (east) goes past 10: back to normal
    await refreshAndSend(nb.id);
    expect(subjects(start)[1]).toMatch(
      /^Back to normal on Sales board: by_region\.total < 10 no longer holds/
    );
  }, 300_000);

  it('on a change of more than N% since the last refresh', async () => {
    const { ann, nb } = await salesDashboard(f);
    await createAlert(f.t.db, f.dataDir, ann.id, nb.id, {
      rule: 'change',
      cell: 'grand',
      column: 'revenue',
      percent: 50
    });
    const start = f.smtp.received.length;
    const refresh = () => refreshAndSend(nb.id);
    await refresh(); // first value seen: nothing to compare with
    await replaceSales(f, ann, SALES + 'west,10\n');
    await refresh(); // 42 → 52: +24%
    expect(subjects(start)).toEqual([]);
    await replaceSales(f, ann, SALES + 'west,100\n');
    await refresh(); // 52 → 142: +173%
    expect(subjects(start)).toEqual([
      'Alert on Sales board: grand.revenue changed by more than 50% since the last refresh (now 142, was 52)'
    ]);
  }, 300_000);
});

describe('a failing scheduled refresh', () => {
  it('tells the editors once, not the viewers, again a day later, and when it works', async () => {
    const { ann, nb } = await salesDashboard(f);
    const eve = await person(f.t.db, 'Editing Eve');
    await verifyEmail(f.t.db, eve);
    const vic = await person(f.t.db, 'Viewing Vic');
    await verifyEmail(f.t.db, vic);
    await join(f.t.db, ann, eve, 'editor');
    await join(f.t.db, ann, vic, 'viewer');
    const start = f.smtp.received.length;
    const scheduled = () => refreshAndSend(nb.id, { scheduled: true });
    await replaceSales(f, ann, null);
    await scheduled();
    await scheduled();
    await scheduled();
    const failed = f.smtp.received.slice(start);
    expect(failed.map((m) => m.to[0]).sort()).toEqual([ann.email, eve.email].sort());
    expect(subjects(start)[0]).toMatch(
      /^The scheduled refresh of Sales board failed: The query "by_region" failed/
    );
    // Still failing a day after that notice: told again, once.
    const at = (hours: number) => new Date(Date.now() + hours * 3600_000);
    expect(await noticeRefreshFailed(f.t.db, nb.id, 'Still failing.', at(1))).toBe(0);
    expect(await noticeRefreshFailed(f.t.db, nb.id, 'Still failing.', at(25))).toBe(2);
    expect(await noticeRefreshFailed(f.t.db, nb.id, 'Still failing.', at(25))).toBe(0);
    await f.drain();
    expect(subjects(start + 2)).toEqual([
      'The scheduled refresh of Sales board failed: Still failing.',
      'The scheduled refresh of Sales board failed: Still failing.'
    ]);
    await replaceSales(f, ann, SALES);
    await scheduled();
    await scheduled();
    const after = subjects(start + 4);
    expect(after).toEqual([
      'The scheduled refresh of Sales board works again.',
      'The scheduled refresh of Sales board works again.'
    ]);
  }, 300_000);
});
