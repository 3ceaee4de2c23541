// Each dashboard card's content, computed from the refresh's tables (workbench.ts): a chart's rows (aggregated
// in DuckDB when big, exactly as in the notebook) and its SVG, a text cell's cleaned HTML, a table's first rows
// as text, a KPI's value. The SQL of connection cells is left out unless the author allowed it.
import { tableFromJSON, type Table } from 'apache-arrow';
import { chartData } from '../../cells/chart/chart-data';
import { readChartConfig } from '../../cells/chart/config';
import { crossFilterTarget } from '../../cells/chart/cross-filter';
import { buildSpec, type VlSpec } from '../../cells/chart/spec';
import { checkSpec } from '../../cells/chart/validate';
import type { Cell } from '../../cells/document';
import { TABLE_ROWS, numberText, tableText } from '../../cells/card-content';
import { boxPixels, type LayoutItem } from '../../cells/layout';
import type { PublishedItem } from '../../cells/published';
import { runsLocally } from '../../cells/sql/engine';
import { ident } from '../../cells/sql/quote';
import { sized } from './chart-svg';
import type { ChartJob } from './render-charts';
import { markdownHtml } from './sanitize';
import { renderWithInputs, type ShownValues } from '../../cells/text/input-values';
import type { Workbench } from './workbench';

export type CardContext = {
  bench: Workbench;
  /** Inputs' values as text cards show them for {{name}} (the notebook's, frozen at publish). */
  shown: ShownValues;
  /** Whether viewers may read the SQL of cells that ran on a connection. */
  showSql: boolean;
};

/**
 * A card's content; a chart also brings its rows (served as Arrow), what to draw (see render-charts.ts) and its
 * spec before aggregation (viewers' browsers aggregate a recomputed result again: interactive-tables.ts).
 */
export type Card = { item: PublishedItem; chartRows?: Table; draw?: ChartJob; spec?: VlSpec };

const sqlShown = (cell: Cell, ctx: CardContext) =>
  runsLocally(cell) || ctx.showSql ? cell.source.toString() : null;

async function count(ctx: CardContext, name: string): Promise<number> {
  const t = await ctx.bench.query(`select count(*)::double as n from ${ident(name)}`);
  return Number(t.getChildAt(0)?.get(0) ?? 0);
}

async function tableCard(item: LayoutItem, cell: Cell, ctx: CardContext): Promise<PublishedItem> {
  const t = await ctx.bench.query(`select * from ${ident(cell.name)} limit ${TABLE_ROWS}`);
  return {
    ...item,
    view: 'table',
    name: cell.name,
    sql: sqlShown(cell, ctx),
    ...tableText(t),
    total: await count(ctx, cell.name)
  };
}

async function numberCard(item: LayoutItem, cell: Cell, ctx: CardContext): Promise<PublishedItem> {
  const t = await ctx.bench.query(`select * from ${ident(cell.name)} limit 1`);
  const total = await count(ctx, cell.name);
  return {
    ...item,
    view: 'number',
    name: cell.name,
    sql: sqlShown(cell, ctx),
    ...numberText(t, total, cell.name)
  };
}

async function chartCard(item: LayoutItem, cell: Cell, ctx: CardContext): Promise<Card> {
  const config = readChartConfig(cell.config.toJSON());
  const source = config.source ?? '';
  const empty = {
    ...item,
    view: 'chart' as const,
    name: source,
    svg: null,
    spec: null,
    note: '',
    hasData: false
  };
  if (!source) return { item: { ...empty, error: 'This chart has no data source yet.' } };
  let spec: VlSpec;
  if (config.mode === 'spec') {
    const checked = await checkSpec(cell.source.toString());
    if (!checked.ok) return { item: { ...empty, error: checked.error } };
    spec = checked.spec;
  } else {
    const { schema } = await ctx.bench.query(`select * from ${ident(source)} limit 0`);
    spec = buildSpec(
      config,
      schema.fields.map((f) => ({ name: f.name, type: String(f.type) }))
    );
  }
  const data = await chartData(spec, source, ctx.bench.query);
  // Viewers get the columns the chart draws, not the whole result (a spec's own transforms may read any column,
  // so spec mode keeps them all).
  const rows = config.mode === 'spec' ? data.rows : onlyFields(data.rows, usedFields(data.spec));
  const px = boxPixels(item);
  return {
    item: {
      ...empty,
      spec: data.spec,
      note: data.note,
      hasData: rows.length > 0,
      crossFilter: crossFilterTarget(config, spec) ?? undefined
    },
    chartRows: rows.length ? tableFromJSON(rows as Record<string, unknown>[]) : undefined,
    spec,
    // The card's padding and note take their share of the box.
    draw: { spec: sized(data.spec, px.width - 20, px.height - 44), rows }
  };
}

/** Every `field` an encoding names (tooltips included). */
function usedFields(spec: VlSpec): Set<string> {
  const out = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'field' && typeof v === 'string') out.add(v);
      else visit(v);
    }
  };
  visit(spec.encoding);
  return out;
}

function onlyFields(rows: Record<string, unknown>[], fields: Set<string>): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries([...fields].filter((f) => f in r).map((f) => [f, r[f]])));
}

/** The card, or the card saying why it has nothing to show; one card's problem does not sink the dashboard. */
export async function buildCard(item: LayoutItem, cell: Cell, ctx: CardContext): Promise<Card> {
  try {
    return await cardContent(item, cell, ctx);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const name = item.view === 'text' ? '' : cell.name;
    const base = { ...item, name, error: `This card could not be computed: ${why}` };
    if (item.view === 'chart')
      return { item: { ...base, view: 'chart', svg: null, spec: null, note: '', hasData: false } };
    if (item.view === 'text') return { item: { ...base, view: 'text', html: '' } };
    if (item.view === 'table')
      return { item: { ...base, view: 'table', sql: null, columns: [], rows: [], total: 0 } };
    if (item.view === 'input') return { item: { ...base, view: 'input', label: cell.name } };
    return { item: { ...base, view: 'number', sql: null, label: cell.name, value: '—', caption: '' } };
  }
}

async function cardContent(item: LayoutItem, cell: Cell, ctx: CardContext): Promise<Card> {
  switch (item.view) {
    case 'chart':
      return chartCard(item, cell, ctx);
    case 'text':
      return {
        item: {
          ...item,
          view: 'text',
          name: '',
          html: renderWithInputs(cell.source.toString(), ctx.shown, markdownHtml)
        }
      };
    case 'table':
      return { item: await tableCard(item, cell, ctx) };
    case 'number':
      return { item: await numberCard(item, cell, ctx) };
    case 'input':
      // The control itself is drawn from the dashboard's `interactive.inputs` (interactive-plan.ts).
      return { item: { ...item, view: 'input', name: cell.name, label: cell.name } };
  }
}
