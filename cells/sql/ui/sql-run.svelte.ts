// A SQL cell's run, in the browser's DuckDB or on a connection (rows shown as they stream in), and the result it
// shows: its own last run, or the stored result of someone else's. Each run is recorded in the cell's shared `run`
// map and its result stored on the server, so co-editors see it. SqlRunner.svelte draws it.
import { tableFromIPC, type Table } from 'apache-arrow';
import { newCellId, type Cell } from '$cells/document';
import { LOCAL_ENGINE } from '$cells/sql/engine';
import type { InputValues } from '$cells/sql/parameters';
import { hashSource, readRun, type RunRecord } from '$cells/sql/run-record';
import type { NotebookContext } from '$lib/components/notebook/notebook-context';
import { runOnConnection } from '$lib/engine/connection-run';
import { fetchResult, resultUrl, uploadResult } from '$lib/engine/stored-results';

// Run metadata is not an edit anyone would undo; a separate origin keeps it out of undo history.
const RUN_ORIGIN = 'run';

export class SqlRun {
  running = $state(false);
  elapsed = $state(0);
  rowsSoFar = $state(0);
  result = $state.raw<Table | null>(null);
  /** Run id of the result shown; '' for none. */
  shownRun = $state('');
  error = $state('');
  storeError = $state('');
  loadError = $state('');
  tookMs = $state(0);
  /** Where the last error points in the SQL (an offset), for the editor to mark. */
  errorAt = $state<number | null>(null);
  /** The cell's shared run record: the last run, whoever ran it. */
  shared = $state<RunRecord | null>(null);

  /** The result shown came from the run the shared record describes. */
  readonly mine = $derived(
    this.result !== null && this.shownRun !== '' && this.shared?.runId === this.shownRun
  );
  /** Another person's failed run, when this browser shows no error of its own. */
  readonly sharedError = $derived(
    !this.error && this.shared?.status === 'error' && this.shared.error ? this.shared.error : ''
  );
  /** The result shown is the stored preview of a larger one. */
  readonly isPreview = $derived(
    this.result !== null && this.shared?.stored === 'preview' && this.result.numRows < (this.shared.rows ?? 0)
  );
  /** Parquet is written by the server from the stored result (the browser's DuckDB has no Parquet writer). */
  readonly parquetUrl = $derived.by(() => {
    const s = this.shared;
    if (!s?.runId || s.runId !== this.shownRun || (s.stored !== 'full' && s.stored !== 'preview')) return '';
    const cell = this.cell();
    const url = resultUrl(this.nb.runContext.notebookId, cell.id, s.runId);
    return `${url}?format=parquet&name=${encodeURIComponent(cell.name)}`;
  });

  private abortRemote: AbortController | null = null;
  /** The last shared run whose stored result this browser fetched. */
  private sharedFetched = '';
  /** The row cap a connection's last result was cut at, if it was. */
  private cutAt: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly cell: () => Cell,
    private readonly nb: NotebookContext,
    /** 'local' or the id of the connection the cell runs on. */
    private readonly engineId: () => string
  ) {}

  /** Follows the shared run record; returns the unsubscribe (for an $effect). */
  watch(): () => void {
    const run = this.cell().run;
    const update = () => (this.shared = readRun(run));
    update();
    run.observe(update);
    return () => run.unobserve(update);
  }

  /** Someone else's run: show their stored result without running anything. */
  showShared(): void {
    const s = this.shared;
    if (this.running || !s || s.status !== 'done' || !s.runId || s.runId === this.shownRun) return;
    if (s.stored !== 'full' && s.stored !== 'preview') return;
    // Each shared run is fetched once: a viewer's own run ("Run for me", an input they changed) stays on their
    // screen until someone records a newer run.
    if (s.runId === this.sharedFetched) return;
    const runId = s.runId;
    this.sharedFetched = runId;
    this.shownRun = runId;
    fetchResult(this.nb.runContext.notebookId, this.cell().id, runId)
      .then((ipc) => {
        if (this.shownRun !== runId) return; // a newer run arrived meanwhile
        this.result = tableFromIPC(ipc);
        this.error = '';
        this.loadError = '';
        this.tookMs = s.ms ?? 0;
      })
      .catch((e: unknown) => {
        if (this.shownRun === runId) this.loadError = e instanceof Error ? e.message : String(e);
      });
  }

  private record(fields: Partial<RunRecord>) {
    if (this.nb.readOnly) return;
    const run = this.cell().run;
    run.doc?.transact(() => {
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) run.delete(k);
        else run.set(k, v);
      }
    }, RUN_ORIGIN);
  }

  async run(): Promise<void> {
    if (this.running) return;
    const { duckdb, runContext: context, readOnly, userName } = this.nb;
    const cell = this.cell();
    const engineId = this.engineId();
    this.running = true;
    this.error = '';
    this.storeError = '';
    this.loadError = '';
    this.errorAt = null;
    this.elapsed = 0;
    const t0 = performance.now();
    this.timer = setInterval(() => (this.elapsed = performance.now() - t0), 100);
    const sql = cell.source.toString();
    const runId = newCellId();
    // A timestamp for the record, not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.record({ status: 'running', by: userName, at: new Date().toISOString(), error: null });
    this.rowsSoFar = 0;
    try {
      const inputs = context.inputs(cell.id, sql);
      // Values of {{name}} references, bound as the engine's parameters (never spliced into the SQL).
      const bound = sql.includes('{{') ? context.bound(sql) : undefined;
      const remote = engineId !== LOCAL_ENGINE;
      if (!remote) {
        duckdb.start(); // while the files are still being listed
        await context.ready();
      }
      const r = remote
        ? await this.runRemote(engineId, sql, bound)
        : await duckdb.run(cell.id, cell.name, runId, sql, context.sources(cell.id), bound);
      this.tookMs = r.ms;
      if (r.ok) {
        this.result = r.table;
        this.shownRun = runId;
        if (remote) duckdb.adopt(cell.name, runId, r.table);
        else if (readOnly) context.ranForMe(cell.id, runId);
        this.record({
          engine: engineId,
          truncatedAt: remote ? this.cutAt : undefined,
          status: 'done',
          runId,
          rows: r.table.numRows,
          columns: r.table.schema.fields.map((f) => ({ name: f.name, type: String(f.type) })),
          ms: Math.round(r.ms),
          sourceHash: hashSource(sql),
          inputs,
          stored: 'uploading',
          storedRows: 0
        });
        if (!readOnly) {
          try {
            this.record(await uploadResult(context.notebookId, cell.id, runId, r.table));
          } catch (e) {
            this.storeError = e instanceof Error ? e.message : String(e);
            this.record({ stored: 'failed' });
          }
        }
      } else {
        this.error = r.error;
        this.errorAt = 'at' in r ? (r.at?.offset ?? null) : r.position !== null ? r.position - 1 : null;
        this.record({ status: r.cancelled ? 'cancelled' : 'error', error: r.error, ms: Math.round(r.ms) });
      }
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.record({ status: 'error', error: this.error });
    } finally {
      clearInterval(this.timer);
      this.running = false;
    }
  }

  /** On a connection: rows appear in the grid as they arrive. */
  private async runRemote(engineId: string, sql: string, inputs: InputValues | undefined) {
    this.abortRemote = new AbortController();
    try {
      const r = await runOnConnection(
        engineId,
        sql,
        (soFar) => {
          this.result = soFar;
          this.rowsSoFar = soFar.numRows;
        },
        this.abortRemote.signal,
        inputs
      );
      this.cutAt = r.ok && r.truncated ? r.rowCap : undefined;
      return r;
    } finally {
      this.abortRemote = null;
    }
  }

  cancel(): void {
    if (this.abortRemote) this.abortRemote.abort();
    else void this.nb.duckdb.cancel(this.cell().id);
  }

  destroy(): void {
    clearInterval(this.timer);
    this.abortRemote?.abort(); // a deleted cell's query stops on the database too
  }
}
