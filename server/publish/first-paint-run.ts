// Computing a dashboard's cards for a viewer's filter values on the server, for the page's first paint
// (first-paint.ts decides when): a workbench child over the snapshot's base tables (its Parquet files, as views
// under their names), the replay cells the cards read re-run in notebook order with the values bound exactly as
// the viewer's browser binds them (src/lib/dashboard/recompute.ts), connection cells through the live-cell path
// (its cache and limits), then each card as publishing builds it (cards.ts) and charts drawn to SVG
// (render-charts.ts). What comes out is what the browser would have computed (cells/card-content.ts LiveContent).
import path from 'node:path';
import type { Table } from 'apache-arrow';
import * as Y from 'yjs';
import type { LiveContent } from '../../cells/card-content';
import { orderedCells } from '../../cells/document';
import { boundValue, shownValues } from '../../cells/input/value';
import type { Interactive, LiveCard } from '../../cells/interactive';
import type { PublishedItem } from '../../cells/published';
import { replayUpstream } from '../../cells/replay-upstream';
import type { InputValues } from '../../cells/sql/parameters';
import { renderWithInputs } from '../../cells/text/input-values';
import type { Values } from '../../cells/url-values';
import { runLocalCell } from './bench-inputs';
import { buildCard } from './cards';
import type { PublicationRow } from './publication-store';
import { renderCharts } from './render-charts';
import { markdownHtml } from './sanitize';
import { snapshotDir } from './snapshot';
import { openWorkbench } from './workbench';

/** Longest one statement of a first paint may run: the page stopped waiting long before. */
const PAINT_STATEMENT_S = 30;

export type PaintJob = {
  dataDir: string;
  row: Pick<PublicationRow, 'notebook_id' | 'snapshot_id' | 'doc_state' | 'show_sql'>;
  interactive: Interactive;
  items: readonly PublishedItem[];
  values: Values;
  /** The cards to compute (they follow an input whose value differs from the published one). */
  cards: readonly LiveCard[];
  /** A connection cell's result for `values`, as viewers' browsers get it (live-cell.ts). */
  serverCell: (name: string) => Promise<Table>;
};

/** By cell id, each card's content for the job's values. Throws when any of it fails: the page falls back. */
export async function paintCards(job: PaintJob): Promise<Record<string, LiveContent>> {
  const { interactive, values } = job;
  const items = new Map(job.items.map((i) => [i.cellId, i]));
  const out: Record<string, LiveContent> = {};
  const shown = shownValues(Object.entries(values).map(([name, value]) => ({ name, value })));
  const computed: LiveCard[] = [];
  for (const card of job.cards) {
    const item = items.get(card.cellId);
    if (item?.view === 'text')
      out[card.cellId] = { view: 'text', html: renderWithInputs(card.markdown ?? '', shown, markdownHtml) };
    else if (item) computed.push(card);
  }
  if (!computed.length) return out;

  const sources = computed.map((c) => {
    const item = items.get(c.cellId)!;
    return item.view === 'chart' ? (c.chart?.source ?? item.name) : item.name;
  });
  const dir = snapshotDir(job.dataDir, job.row.notebook_id, job.row.snapshot_id!);
  const files = interactive.tables.map((t) => ({ tableName: t.name, path: path.join(dir, t.file) }));
  const bench = await openWorkbench(files, PAINT_STATEMENT_S);
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, job.row.doc_state);
    const needed = replayUpstream(interactive.cells, sources);
    const bound = boundValues(interactive, values);
    for (const cell of interactive.cells) {
      if (!needed.has(cell.name.toLowerCase())) continue;
      if (cell.runsOn === 'browser') await runLocalCell(bench, cell.name, cell.sql, bound);
      else await bench.load(cell.name, await job.serverCell(cell.name));
    }
    const cells = new Map(orderedCells(doc).map((c) => [c.id, c]));
    const ctx = { bench, shown, showSql: job.row.show_sql };
    const charts: { cellId: string; content: Extract<LiveContent, { view: 'chart' }> }[] = [];
    const jobs = [];
    for (const card of computed) {
      const item = items.get(card.cellId)!;
      const cell = cells.get(card.cellId);
      if (!cell) throw new Error(`The card ${card.cellId} is not in the published notebook.`);
      const built = await buildCard(item, cell, ctx);
      const p = built.item;
      if (p.error) throw new Error(p.error);
      if (p.view === 'table')
        out[card.cellId] = { view: 'table', columns: p.columns, rows: p.rows, total: p.total };
      else if (p.view === 'number')
        out[card.cellId] = { view: 'number', label: p.label, value: p.value, caption: p.caption };
      else if (p.view === 'chart' && p.spec && built.draw) {
        const content = {
          view: 'chart' as const,
          spec: p.spec,
          rows: built.draw.rows as Record<string, unknown>[],
          note: p.note
        };
        out[card.cellId] = content;
        charts.push({ cellId: card.cellId, content });
        jobs.push(built.draw);
      } else throw new Error(`The card ${card.cellId} cannot be computed on the server.`);
    }
    // A chart that could not be drawn here is drawn by the browser from its rows, as after any change.
    const drawings = await renderCharts(jobs);
    charts.forEach(({ content }, i) => {
      const drawn = drawings[i];
      if (drawn && 'svg' in drawn) content.svg = drawn.svg;
    });
    return out;
  } finally {
    bench.close();
    doc.destroy();
  }
}

/** What the re-runs bind, as the browser binds it: the viewer's values beside the fixed ones. */
function boundValues(interactive: Interactive, values: Values): InputValues {
  const out: InputValues = { ...interactive.fixed };
  for (const input of interactive.inputs)
    out[input.name] = boundValue(input.config, values[input.name] ?? null, input.choices);
  return out;
}
