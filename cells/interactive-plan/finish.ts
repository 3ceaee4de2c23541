// The plan (plan.ts) made into what dashboard.json carries (cells/interactive.ts), once the base tables are
// written and their sizes known: cards whose tables would push the total over the cap stay frozen at the
// publish-time picture, with the reason, and only the tables and re-run cells live cards need are kept.
import type { BaseTable, Interactive, LiveCard } from '../interactive';
import { inputReferences } from '../sql/references';
import type { Plan } from './plan';

/**
 * The most Parquet a dashboard publishes for viewers' browsers, all tables together. A viewer's first filter
 * change may read all of it (a filter reads its whole column), into the tab's DuckDB-WASM memory: the browser's
 * own reader never takes a file's whole copy over 256 MB for the same reason (ARCHITECTURE.md, "How browsers read
 * uploaded files"). 200 MB leaves the page and DuckDB's work room within that, and downloads in seconds, not
 * minutes, on an ordinary connection.
 */
export const MAX_BASE_TABLE_BYTES = 200 * 1024 ** 2;

/** A written table, or why it could not be (too big to write, a query that does not bind over it…). */
export type Written = Omit<BaseTable, 'name'> | { error: string };

const mb = (n: number) => `${Math.ceil(n / 1024 ** 2)} MB`;

/**
 * `written` by lower-cased table name; `specs` the charts' specs before aggregation, by cell id. Undefined when
 * no card follows an input (nothing for viewers to change).
 */
export function finishPlan(
  plan: Plan,
  written: ReadonlyMap<string, Written>,
  specs: ReadonlyMap<string, Record<string, unknown>>,
  cap = MAX_BASE_TABLE_BYTES
): Interactive | undefined {
  if (plan.cards.length === 0) return undefined;
  const byName = new Map(plan.cells.map((c) => [c.name.toLowerCase(), c]));
  /** The tables a card's browser re-runs read. */
  const tablesOf = (cells: string[]) =>
    plan.tables.filter((t) => t.readers.some((r) => cells.includes(r.toLowerCase())));
  const kept = new Set<string>();
  let total = 0;
  const cards: LiveCard[] = [];
  const frozen: Interactive['frozen'] = [];
  for (const card of plan.cards) {
    const needs = tablesOf(card.cells);
    const failed = needs.map((t) => written.get(t.name.toLowerCase())).find((w) => !w || 'error' in w);
    if (failed || (card.view === 'chart' && !specs.has(card.cellId))) {
      const why = failed && 'error' in failed ? failed.error : 'its data could not be prepared';
      frozen.push({ cellId: card.cellId, reason: `This card shows the published values only: ${why}` });
      continue;
    }
    const extra = needs
      .filter((t) => !kept.has(t.name.toLowerCase()))
      .reduce((n, t) => n + (written.get(t.name.toLowerCase()) as BaseTable).bytes, 0);
    if (total + extra > cap) {
      frozen.push({
        cellId: card.cellId,
        reason:
          `This card shows the published values only: the data it is computed from (${mb(extra)}) would take ` +
          `the dashboard past the ${mb(cap)} viewers’ browsers may download.`
      });
      continue;
    }
    total += extra;
    needs.forEach((t) => kept.add(t.name.toLowerCase()));
    cards.push({
      cellId: card.cellId,
      inputs: card.inputs,
      ...(card.markdown !== undefined ? { markdown: card.markdown } : {}),
      ...(card.view === 'chart' ? { chart: { spec: specs.get(card.cellId)!, source: card.source! } } : {})
    });
  }
  const liveCells = new Set(
    plan.cards.filter((c) => cards.some((l) => l.cellId === c.cellId)).flatMap((c) => c.cells)
  );
  const tables: BaseTable[] = plan.tables
    .filter((t) => kept.has(t.name.toLowerCase()))
    .map((t) => ({ name: t.name, ...(written.get(t.name.toLowerCase()) as Omit<BaseTable, 'name'>) }));
  const browserSql = plan.cells
    .filter((c) => c.runsOn === 'browser' && liveCells.has(c.name.toLowerCase()))
    .map((c) => c.sql);
  const bound = new Set(browserSql.flatMap((sql) => inputReferences(sql)));
  const fixed = Object.fromEntries(Object.entries(plan.fixed).filter(([n]) => bound.has(n.toLowerCase())));
  return {
    inputs: plan.inputs,
    ...(Object.keys(fixed).length ? { fixed } : {}),
    tables,
    cells: plan.cells
      .filter((c) => liveCells.has(c.name.toLowerCase()) && byName.has(c.name.toLowerCase()))
      .map((c) =>
        c.runsOn === 'browser'
          ? { runsOn: 'browser', name: c.name, sql: c.sql }
          : { runsOn: 'server', name: c.name }
      ),
    cards,
    frozen
  };
}
