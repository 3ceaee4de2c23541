// Starting DuckDB-WASM takes a second or more, so it starts while the notebook opens, as soon as the server says
// the notebook has SQL cells that run in the browser (or the document shows one), once the page has painted.
// Not in an idle callback: the opening page is seldom idle (idle callbacks came 50-160 ms later, often after
// Run could be pressed), and starting costs the page only a few ms; the download, compilation and warm-up run in
// the engine's worker while the notebook connects and fetches its stored results. Only for people who can edit:
// viewers see stored results without the engine, and their first Run starts it. Stored results and charts of
// them never need it; a notebook of connection cells never starts it.
import { afterNextPaint } from '$lib/after-paint';
import { LOCAL_ENGINE } from '$cells/sql/engine';
import type { BrowserDuckDB } from '$lib/engine/engine';
import type { NotebookRuns } from './notebook-runs.svelte';

/**
 * Starts `duckdb` early when the notebook needs it (`localSql`: the server's answer). Call it while a component
 * initialises; returns a function that cancels a start that has not happened yet, for when the notebook closes.
 */
export function warmUpEngine(
  duckdb: BrowserDuckDB,
  runs: NotebookRuns,
  readOnly: () => boolean,
  localSql: boolean | null | undefined
): () => void {
  let engineStarting = false;
  let cancelEngineStart: (() => void) | undefined;
  function startEngineSoon() {
    if (engineStarting || readOnly()) return;
    engineStarting = true;
    cancelEngineStart = afterNextPaint(() => duckdb.start());
  }
  if (localSql) startEngineSoon();
  $effect(() => {
    if (!engineStarting && runs.sql.some((c) => c.engine === LOCAL_ENGINE)) startEngineSoon();
  });
  return () => cancelEngineStart?.();
}
