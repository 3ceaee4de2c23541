// Runs that nobody started from a cell's own Run button: another cell asking (the assistant runs the queries it
// wrote), the chart sources of a notebook that arrives without results, and "Run stale cells".
import { untrack } from 'svelte';
import { readChartConfig } from '$cells/chart/config';
import { isChartCell } from '$cells/chart/kind';
import { cellsToRunOnOpen } from '$cells/sql/run-on-open';
import type { NotebookSession } from '$lib/collab/session.svelte';
import type { NotebookView } from '$lib/collab/notebook-view.svelte';
import type { CellApi } from './cell-api';
import type { NotebookRuns } from './notebook-runs.svelte';

export class NotebookRunner {
  /** Whether "Run stale cells" is under way. */
  runningStale = $state(false);
  // A notebook that arrives without results (a fork of a dashboard, a template nobody ran) draws its charts once
  // an editor opens it: the local cells they need run once, and their results are stored for everyone as usual.
  private openRunsDone = false;

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
