// Runs that nobody started from a cell's own Run button: another cell asking (the assistant runs the queries it
// wrote), the chart sources of a notebook that arrives without results, "Run stale cells", and the cells an
// input's new value makes stale (this person's own change only: co-editors fetch the results it stores).
import { untrack } from 'svelte';
import { readChartConfig } from '$cells/chart/config';
import { isChartCell } from '$cells/chart/kind';
import { LOCAL_ENGINE } from '$cells/sql/engine';
import { inputReferences } from '$cells/sql/references';
import { cellsToRunOnOpen } from '$cells/sql/run-on-open';
import { upstreamOf, type SqlCellState } from '$cells/sql/staleness';
import type { NotebookSession } from '$lib/collab/session.svelte';
import type { NotebookView } from '$lib/collab/notebook-view.svelte';
import type { CellApi } from './cell-api';
import type { NotebookRuns } from './notebook-runs.svelte';

/** The pause after the last keystroke in a typed input (text, number) before its dependent cells run. */
export const INPUT_DEBOUNCE_MS = 250;
/** Inputs whose every change is a value someone picked: their cells re-run at once (see onInputChange). */
const PICKED: ReadonlySet<string> = new Set([
  'slider',
  'dropdown',
  'multiselect',
  'date',
  'daterange',
  'checkbox'
]);
/** The document's `meta` key that turns off re-running connection cells when an input changes. */
export const RUN_ON_CHANGE = 'runOnChange';

export class NotebookRunner {
  /** Whether "Run stale cells" is under way. */
  runningStale = $state(false);
  // A notebook that arrives without results (a fork of a dashboard, a template nobody ran) draws its charts once
  // an editor opens it: the local cells they need run once, and their results are stored for everyone as usual.
  private openRunsDone = false;
  private inputTimer: ReturnType<typeof setTimeout> | undefined;
  /** Inputs this person changed since the last re-run, by cell id. */
  // Bookkeeping for the debounce, not state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly changedInputs = new Set<string>();
  private inputRuns: Promise<void> | null = null;

  /** Construct it while a component initialises (it watches the document for the runs on open). */
  constructor(
    private readonly session: NotebookSession,
    private readonly view: NotebookView,
    private readonly runs: NotebookRuns,
    private readonly apis: Record<string, CellApi>,
    private readonly readOnly: () => boolean
  ) {
    $effect(() => {
      if (this.openRunsDone || this.readOnly() || !this.session.synced) return;
      this.openRunsDone = true;
      const sources = this.view.cells
        .filter(isChartCell)
        .map((c) => readChartConfig(c.config.toJSON()).source);
      const ids = cellsToRunOnOpen(
        untrack(() => this.runs.sql),
        sources
      );
      void (async () => {
        for (const id of ids) await this.runCell(id);
      })();
    });
    $effect(() => this.runs.inputs.onChange((cellId) => this.onInputChange(cellId)));
    $effect(() => () => clearTimeout(this.inputTimer));
  }

  /**
   * A value this person set. Picked values (a slider step, a dropdown choice) re-run the cells at once: waiting
   * would put a pause between every step of a drag and its chart. While a round runs, further changes wait and
   * make one more round with the latest values, so a drag never queues a run per step. Typed values wait for a
   * pause in typing instead, so a word is not a query per letter.
   */
  private onInputChange(cellId: string) {
    this.changedInputs.add(cellId);
    clearTimeout(this.inputTimer);
    const widget = this.runs.inputs.cells.find((c) => c.id === cellId)?.config.widget;
    if (widget && PICKED.has(widget)) void this.runAfterInputs();
    else this.inputTimer = setTimeout(() => void this.runAfterInputs(), INPUT_DEBOUNCE_MS);
  }

  /** Whether an input's new value re-runs connection cells too (the notebook's "Run on change", on by default). */
  get runOnChange(): boolean {
    return this.session.doc.getMap('meta').get(RUN_ON_CHANGE) !== false;
  }

  /**
   * Runs what this person's input changes made stale, top to bottom: for editors, local cells always and
   * connection cells unless "Run on change" is off; for viewers, the local cells that bind the inputs and the
   * local cells downstream of them (viewerChain), in their browser only. Changes made while it runs start another round once it ends.
   */
  private async runAfterInputs(): Promise<void> {
    if (this.inputRuns) {
      await this.inputRuns;
      if (this.changedInputs.size === 0) return;
    }
    const changed = [...this.changedInputs];
    this.changedInputs.clear();
    this.inputRuns = (async () => {
      const ids = this.readOnly() ? this.viewerCells(changed) : this.editorCells();
      for (const id of ids) await this.apis[id]?.run();
    })();
    try {
      await this.inputRuns;
    } finally {
      this.inputRuns = null;
    }
  }

  private editorCells(): string[] {
    // Throwaway lookups inside one call, not state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const engines = new Map(this.runs.sql.map((c) => [c.id, c.engine ?? LOCAL_ENGINE]));
    const remoteToo = this.runOnChange;
    return this.runs.affectedByInputs().filter((id) => remoteToo || engines.get(id) === LOCAL_ENGINE);
  }

  /**
   * A viewer's re-runs: the local cells that bind a changed input and every local cell downstream of them through
   * the notebook's SQL references, in notebook order. Connection cells are not theirs to run, so the chain stops
   * there.
   */
  private viewerCells(changed: string[]): string[] {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const names = new Set(
      this.runs.inputs.cells.filter((c) => changed.includes(c.id) && c.name).map((c) => c.name.toLowerCase())
    );
    return viewerChain(this.runs.sql, names);
  }

  /** Runs a cell by id, once it is on the page (a cell just inserted mounts on the next frame). */
  async runCell(id: string) {
    for (let i = 0; i < 100 && !this.apis[id]; i++) await new Promise((r) => setTimeout(r, 20));
    await this.apis[id]?.run();
  }

  /** One at a time, top to bottom: each may read the one before. */
  async runStale() {
    this.runningStale = true;
    try {
      for (const id of this.runs.staleIds()) await this.apis[id]?.run();
    } finally {
      this.runningStale = false;
    }
  }
}

/** The local cells binding one of the inputs `names` (lower case) and the local cells reading them, in order. */
export function viewerChain(cells: SqlCellState[], names: ReadonlySet<string>): string[] {
  // A throwaway set inside one call, not state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  const out = new Set<string>();
  cells.forEach((c, i) => {
    if ((c.engine ?? LOCAL_ENGINE) !== LOCAL_ENGINE) return;
    const binds = c.sql.includes('{{') && inputReferences(c.sql).some((n) => names.has(n.toLowerCase()));
    if (binds || upstreamOf(cells, i).some((up) => out.has(up.id))) out.add(c.id);
  });
  return [...out];
}
