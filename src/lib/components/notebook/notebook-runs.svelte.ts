// The notebook's SQL cells as a dataflow: which tables a run may read (files, earlier results), which cells are
// stale (inputs included: notebook-inputs.svelte.ts), and the schema editors autocomplete from. Recomputed as the
// shared document changes.
import { SvelteMap } from 'svelte/reactivity';
import type * as Y from 'yjs';
import { sqlEngine } from '$cells/sql/engine';
import { isSqlCell } from '$cells/sql/kind';
import { readRun } from '$cells/sql/run-record';
import {
  affectedByInputs,
  inputMark,
  inputsOf,
  staleCells,
  upstreamOf,
  type SqlCellState
} from '$cells/sql/staleness';
import type { NotebookView } from '$lib/collab/notebook-view.svelte';
import type { Query } from '$cells/chart/chart-data';
import type { BrowserDuckDB, TableSource } from '$lib/engine/engine';
import type { RunContext } from '$lib/engine/run-context';
import { chartQuery } from '$lib/engine/chart-query';
import { resultUrl } from '$lib/engine/stored-results';
import { NotebookInputs } from './notebook-inputs.svelte';
import type { UploadedFile } from './upload';

export class NotebookRuns {
  files = $state.raw<UploadedFile[]>([]);
  private filesListed: () => void = () => {};
  private readonly filesKnown = new Promise<void>((resolve) => (this.filesListed = resolve));
  private version = $state(0);
  private readonly bump = () => this.version++;

  /** SQL cells in order with their current SQL and last run. */
  readonly sql = $derived.by((): SqlCellState[] => {
    void this.version; // any change to the document (typing, a run finishing) recomputes this
    return this.view.cells.filter(isSqlCell).map((c) => ({
      id: c.id,
      name: c.name,
      sql: c.source.toString(),
      run: readRun(c.run),
      engine: sqlEngine(c)
    }));
  });
  /** The notebook's input cells, their values and what queries bind for them. */
  get inputs(): NotebookInputs {
    return (this.inputCells ??= new NotebookInputs(this.view, () => this.version));
  }
  private inputCells: NotebookInputs | undefined;
  readonly stale = $derived(staleCells(this.sql, this.inputs.states));
  readonly schema = $derived.by(() => {
    const tables: Record<string, string[]> = {};
    for (const f of this.files) tables[f.tableName] = f.columns.map((c) => c.name);
    for (const c of this.sql)
      if (c.name && c.run?.columns) tables[c.name] = c.run.columns.map((col) => col.name);
    return tables;
  });

  readonly context: RunContext;
  /** A viewer's own runs (cell id → run id): their results live only in this browser's engine. */
  private readonly mine = new SvelteMap<string, string>();

  constructor(
    private readonly doc: Y.Doc,
    private readonly view: NotebookView,
    notebookId: string
  ) {
    doc.on('afterTransaction', this.bump);
    this.context = {
      notebookId,
      sources: (cellId) => this.sources(notebookId, cellId),
      ready: () => this.filesKnown,
      inputs: (cellId, sql) => {
        const cells = this.sql.map((c) => (c.id === cellId ? { ...c, sql } : c));
        const index = cells.findIndex((c) => c.id === cellId);
        if (index < 0) return {};
        const inputs: Record<string, string> = {};
        for (const up of upstreamOf(cells, index)) if (up.run?.runId) inputs[up.name] = up.run.runId;
        for (const input of inputsOf(sql, this.inputs.states)) inputs[input.name] = inputMark(input.hash);
        return inputs;
      },
      bound: (sql) => this.inputs.bound(sql),
      earlier: (cellId) => this.before(cellId),
      stale: (cellId) => this.stale.get(cellId) ?? null,
      ranForMe: (cellId, runId) => this.mine.set(cellId, runId),
      forMe: (cellId) => this.mine.get(cellId)
    };
  }

  /** The workspace's files as the Files panel listed them; null when they could not be listed (runs go ahead
   * without them and say which table is missing). */
  setFiles(files: UploadedFile[] | null) {
    if (files) this.files = files;
    this.filesListed();
  }

  private sources(notebookId: string, cellId: string): TableSource[] {
    const out: TableSource[] = this.files.map((f) => ({
      kind: 'file' as const,
      name: f.tableName,
      key: `${f.id}:${f.tableName}`,
      fileId: f.id,
      columns: f.columns
    }));
    for (const c of this.before(cellId)) {
      const own = this.mine.get(c.id);
      if (c.name && own) {
        // The viewer's own result is already the engine's table of that name, under this key: nothing to fetch.
        out.push({ kind: 'result', name: c.name, key: own, url: resultUrl(notebookId, c.id, own) });
        continue;
      }
      const run = c.run;
      if (!c.name || run?.status !== 'done' || !run.runId) continue;
      if (run.stored !== 'full' && run.stored !== 'preview') continue;
      out.push({ kind: 'result', name: c.name, key: run.runId, url: resultUrl(notebookId, c.id, run.runId) });
    }
    return out;
  }

  /** What the chart cell `cellId` reads (see chartQuery). */
  chartQuery(duckdb: BrowserDuckDB, cellId: string): Query {
    return chartQuery(duckdb, this.context, cellId);
  }

  /** SQL cells above the cell `cellId` (any kind), in order: the results it may read. */
  before(cellId: string): SqlCellState[] {
    const cells = this.view.cells;
    const at = cells.findIndex((c) => c.id === cellId);
    // A throwaway lookup inside one call, not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const above = new Set(cells.slice(0, at < 0 ? cells.length : at).map((c) => c.id));
    return this.sql.filter((c) => above.has(c.id));
  }

  /** The cells an input's new value makes run again, in notebook order (see affectedByInputs). */
  affectedByInputs(): string[] {
    return affectedByInputs(this.sql, this.inputs.states);
  }

  /** Stale cells in notebook order. */
  staleIds(): string[] {
    return this.sql.filter((c) => this.stale.has(c.id)).map((c) => c.id);
  }

  destroy() {
    this.doc.off('afterTransaction', this.bump);
  }
}
