// Recomputes a published dashboard's cards for a viewer's own filter values, in the viewer's DuckDB-WASM: the base
// tables published for viewers (read in pieces with range requests, like uploaded files: engine/file-sources.ts),
// the dashboard's cells re-run in notebook order with the values bound as parameters (connection cells asked of
// the server: server-cells.ts), then each card from its result, formatted as the server formats it
// (cells/card-content.ts, cells/chart/chart-data.ts). A cell runs again only when what it binds or reads changed.
// A cell whose result was precomputed at publish for the dropdown choices made (precomputed-answers.ts) is not
// run at all. The engine is loaded the first time a card needs it; text cards never need it.
import { TABLE_ROWS, numberText, tableText, type LiveContent } from '$cells/card-content';
import { chartData } from '$cells/chart/chart-data';
import type { VlSpec } from '$cells/chart/spec';
import { boundValue, shownValues } from '$cells/input/value';
import type { Interactive, LiveCard, ReplayCell } from '$cells/interactive';
import type { PublishedItem } from '$cells/published';
import type { InputValues } from '$cells/sql/parameters';
import { ident } from '$cells/sql/quote';
import { replayUpstream } from '$cells/replay-upstream';
import { inputReferences, referencedNames } from '$cells/sql/references';
import { renderWithInputs } from '$cells/text/input-values';
import type { Table } from 'apache-arrow';
import type { Query } from '$cells/chart/chart-data';
import type { BrowserDuckDB, TableSource } from '$lib/engine/engine';
import { engineFailure } from '$lib/engine/engine-failure';
import { record, traced } from '$lib/engine/trace';
import { renderMarkdown, renderMarkdownLoaded } from '$lib/markdown/render';
import { PrecomputedAnswers } from './precomputed-answers';
import { ResultCache } from './result-cache';
import { serverCell, serverCellUrl } from './server-cells';
import type { Values } from './url-values';
import { rawToViewer, ViewerError } from './viewer-error';

/** What a recomputed card shows. */
export type { LiveContent };

/** Thrown when newer values made the work pointless; nothing of it is shown. */
export class Superseded extends Error {}

/** Where the snapshot's base tables are served: `/d/<slug>/snapshots/<snapshotId>/<file>`. */
export const tableUrl = (slug: string, snapshotId: string, file: string): string =>
  `${location.origin}/d/${encodeURIComponent(slug)}/snapshots/${encodeURIComponent(snapshotId)}/${file}`;

type Ran = { key: string; error: string | null };

export class Recompute {
  private engine: Promise<BrowserDuckDB> | null = null;
  private readonly cells: Map<string, ReplayCell>; // by lower-cased name
  private readonly ran = new Map<string, Ran>(); // cell name (lower case) → what its table holds now
  private readonly fetched = new Map<string, TableSource>(); // server cells' results, by lower-cased name
  private readonly fromServer = new Map<string, Table>(); // the same results, as they arrived
  // Browser cells' results as the run returned them, by lower-cased name: cards draw from these, and DuckDB gets a
  // copy only when a later cell reads one (BrowserDuckDB.run's keep 'later').
  private readonly local = new Map<string, { source: TableSource; table: Table }>();
  private readonly adopted = new Map<string, { name: string; key: string; table: Table }>();
  private readonly results = new ResultCache(); // browser cells' results by their key, for values seen before
  private readonly running = new Set<string>(); // ids of the runs under way (cards run side by side)
  // Runs under way, by lower-cased cell name: cards reading the same cell wait for one run of it.
  private readonly inflight = new Map<string, { key: string; done: Promise<void> }>();
  private readonly answers: PrecomputedAnswers; // results computed at publish for dropdown choices

  constructor(
    private readonly interactive: Interactive,
    private readonly slug: string,
    private readonly snapshotId: string
  ) {
    this.cells = new Map(interactive.cells.map((c) => [c.name.toLowerCase(), c]));
    this.answers = new PrecomputedAnswers(interactive, (file) => tableUrl(slug, snapshotId, file));
  }

  /**
   * The viewer is about to pick a value (pointing at or focusing a filter): start DuckDB-WASM now, so the second or
   * so it takes to download, compile and open overlaps their choosing instead of following it. Nothing when no
   * card in `sources` (the cells the live cards show) needs it: every cell runs on the server, or its results for
   * every choice were precomputed.
   */
  warm(sources: string[]): void {
    const needs = (source: string) => {
      const lower = source.toLowerCase();
      if (this.answers.everyChoice(lower)) return false;
      return [...this.upstream(lower)].some((n) => this.cells.get(n)?.runsOn === 'browser');
    };
    if (this.engine || !sources.some(needs)) return;
    void this.duckdb()
      .then((db) => db.start())
      .catch(() => undefined); // the first query starts it again and says what went wrong
  }

  private duckdb(): Promise<BrowserDuckDB> {
    this.engine ??= import('$lib/engine/engine').then(({ BrowserDuckDB }) => {
      const db = new BrowserDuckDB();
      // Connection cells' results that arrived before the engine was wanted.
      for (const a of this.adopted.values()) db.adopt(a.name, a.key, a.table);
      return db;
    });
    return this.engine;
  }

  /** Every table a query may read: the base tables, always all of them (the engine drops files not listed). */
  private sources(): TableSource[] {
    const safe = this.snapshotId.replace(/[^A-Za-z0-9_]/g, '_');
    const tables: TableSource[] = this.interactive.tables.map((t, i) => {
      const url = tableUrl(this.slug, this.snapshotId, t.file);
      const fileId = `dash_${safe}_${i}`;
      return { kind: 'file', name: t.name, key: url, fileId, columns: t.columns, url, bytes: t.bytes };
    });
    return [...tables, ...this.fetched.values(), ...[...this.local.values()].map((l) => l.source)];
  }

  /** The card's content for `values`. Throws Superseded once `current()` turns false, or a ViewerError. */
  async card(
    card: LiveCard,
    item: PublishedItem,
    values: Values,
    current: () => boolean
  ): Promise<LiveContent> {
    if (item.view === 'text') {
      await renderMarkdownLoaded('');
      const shown = shownValues(Object.entries(values).map(([name, value]) => ({ name, value })));
      return { view: 'text', html: renderWithInputs(card.markdown ?? '', shown, renderMarkdown) };
    }
    const source = item.view === 'chart' ? (card.chart?.source ?? item.name) : item.name;
    const lower = source.toLowerCase();
    const answer = await this.answers.get(lower, this.bound(values));
    if (!current()) throw new Superseded();
    if (!answer) await traced('card: re-run cells', () => this.prepare(source, values, current));
    // A precomputed answer, or a connection cell's result that arrived whole from the server: cards of it need no
    // engine, unless a chart of many rows is aggregated (then DuckDB does it, as in the notebook).
    const mine = this.local.get(lower);
    const whole =
      answer ??
      this.fromServer.get(lower) ??
      (mine?.source.key === this.ran.get(lower)?.key ? mine?.table : undefined);
    const sources = this.sources();
    const query: Query = async (sql: string) => {
      if (!current()) throw new Superseded();
      return (await this.duckdb()).query(sql, sources);
    };
    if (whole) query.stored = async (_name, maxRows) => (whole.numRows <= maxRows ? whole : null);
    const count = async () =>
      whole
        ? whole.numRows
        : Number((await query(`select count(*)::double as n from ${ident(source)}`)).get(0)?.n ?? 0);
    const first = (rows: number) =>
      whole ? Promise.resolve(whole.slice(0, rows)) : query(`select * from ${ident(source)} limit ${rows}`);
    try {
      switch (item.view) {
        case 'chart': {
          if (!card.chart) throw new ViewerError('This chart cannot follow the filters.');
          const data = await traced('card: chart data', () =>
            chartData(card.chart!.spec as VlSpec, source, query)
          );
          return { view: 'chart', spec: data.spec, rows: data.rows, note: data.note };
        }
        case 'table': {
          const t = await first(TABLE_ROWS);
          return { view: 'table', ...tableText(t), total: await count() };
        }
        case 'number': {
          const t = await first(1);
          return { view: 'number', ...numberText(t, await count(), source) };
        }
        default:
          throw new ViewerError('This card cannot follow the filters.');
      }
    } catch (e) {
      if (e instanceof Superseded || e instanceof ViewerError) throw e;
      throw new ViewerError(this.failed(e instanceof Error ? e.message : String(e)));
    }
  }

  /** Re-runs, in notebook order, the cells `source` reads (itself included) whose inputs or upstream changed. */
  private async prepare(source: string, values: Values, current: () => boolean): Promise<void> {
    const needed = this.upstream(source.toLowerCase());
    const bound = this.bound(values);
    for (const cell of this.interactive.cells) {
      const lower = cell.name.toLowerCase();
      if (!needed.has(lower)) continue;
      if (!current()) throw new Superseded();
      const key = this.keyOf(cell, bound, values);
      if (this.ran.get(lower)?.key !== key) await this.runOnce(cell, key, bound, values);
      const error = this.ran.get(lower)?.error;
      if (error) throw new ViewerError(error);
    }
  }

  /** Runs the cell for `key` unless a run of it for `key` is under way already; then waits for that one. */
  private runOnce(cell: ReplayCell, key: string, bound: InputValues, values: Values): Promise<void> {
    const lower = cell.name.toLowerCase();
    const under = this.inflight.get(lower);
    if (under?.key === key) return under.done;
    const done: Promise<void> = this.runCell(cell, key, bound, values)
      .then((error) => {
        // A run for other values that ended late says nothing of what the cell holds now.
        if (this.inflight.get(lower)?.done === done) this.ran.set(lower, { key, error });
      })
      .finally(() => {
        if (this.inflight.get(lower)?.done === done) this.inflight.delete(lower);
      });
    this.inflight.set(lower, { key, done });
    return done;
  }

  /** `name` and the re-run cells it reads, directly or through others (lower-cased). */
  private upstream(name: string): Set<string> {
    return replayUpstream(this.interactive.cells, [name]);
  }

  /** Whether the cell's result follows from the snapshot and the values alone: no connection cell upstream. */
  private onlyFromSnapshot(name: string): boolean {
    return [...this.upstream(name)].every((n) => this.cells.get(n)?.runsOn === 'browser');
  }

  /** What the re-runs bind: the viewer's values, beside the fixed values of inputs that are not on the grid. */
  private bound(values: Values): InputValues {
    const out: InputValues = { ...this.interactive.fixed };
    for (const input of this.interactive.inputs)
      out[input.name] = boundValue(input.config, values[input.name] ?? null, input.choices);
    return out;
  }

  /** What a cell's result depends on: the values it binds and what the cells it reads hold. */
  private keyOf(cell: ReplayCell, bound: InputValues, values: Values): string {
    if (cell.runsOn === 'server') return serverCellUrl(this.slug, cell.name, values);
    const refs = new Set(inputReferences(cell.sql));
    const inputs = Object.entries(bound).filter(([name]) => refs.has(name.toLowerCase()));
    const reads = [...referencedNames(cell.sql)].map((n) => this.ran.get(n)?.key ?? '');
    return JSON.stringify([cell.sql, inputs, reads]);
  }

  /** Runs the cell for these values; the viewer-safe reason it failed, or null. */
  private async runCell(cell: ReplayCell, key: string, bound: InputValues, values: Values) {
    const lower = cell.name.toLowerCase();
    try {
      if (cell.runsOn === 'server') {
        const url = serverCellUrl(this.slug, cell.name, values);
        const table = await serverCell(url);
        this.fromServer.set(lower, table);
        // Loaded into DuckDB only when a query reads it (the engine starts then, not before).
        this.engine?.then((db) => db.adopt(cell.name, key, table)).catch(() => undefined);
        this.adopted.set(lower, { name: cell.name, key, table });
        this.fetched.set(lower, { kind: 'result', name: cell.name, key, url });
        return null;
      }
      const db = await this.duckdb();
      const source: TableSource = { kind: 'result', name: cell.name, key, url: '' };
      const cacheable = this.onlyFromSnapshot(lower);
      const cached = cacheable ? this.results.get(key) : undefined;
      if (cached) {
        record('card: result from the cache', 0);
        // As a run with keep 'later' leaves it: table `name` for a later query that reads it.
        db.adopt(cell.name, key, cached);
        this.local.set(lower, { source, table: cached });
        return null;
      }
      const id = `dashboard:${lower}`;
      this.running.add(id);
      this.local.delete(lower);
      const result = await db.run(id, cell.name, key, cell.sql, this.sources(), bound, {
        keep: 'later',
        repeated: true
      });
      if (result.ok) {
        this.local.set(lower, { source, table: result.table });
        // An empty result went into DuckDB at once (keep 'later' adopts only rows): it is not kept here either.
        if (cacheable && result.table.numRows > 0) this.results.set(key, result.table);
        return null;
      }
      if (result.cancelled) throw new Superseded();
      console.warn(`Recomputing "${cell.name}" failed:`, result.error);
      return this.failed(result.error);
    } catch (e) {
      if (e instanceof Superseded) throw e;
      if (e instanceof ViewerError) return e.message;
      console.warn(`Recomputing "${cell.name}" failed:`, e);
      return this.failed(e instanceof Error ? e.message : String(e));
    } finally {
      this.running.delete(`dashboard:${lower}`);
    }
  }

  /**
   * The viewer's words for an engine or SQL failure. An engine that trapped was restarted empty
   * (BrowserDuckDB), so every cell's table is gone and runs again when next needed.
   */
  private failed(raw: string): string {
    if (engineFailure(raw)?.restart) this.ran.clear();
    return rawToViewer(raw);
  }

  /** Cells that failed are tried again from now on (each failure is remembered for one round of updates only, so
   * cards reading the same failed cell do not each ask again). */
  forgetFailures(): void {
    for (const [name, r] of this.ran) if (r.error) this.ran.delete(name);
  }

  /** Stops the cells running now, if any (newer values came). */
  cancel(): void {
    const engine = this.engine;
    if (engine) for (const id of this.running) void engine.then((db) => db.cancel(id));
  }

  async destroy(): Promise<void> {
    const engine = this.engine;
    this.engine = null;
    if (engine) await (await engine).destroy();
  }
}
