// What the pieces of Notebook.svelte share — the live session, the outline of its document, the runs dataflow,
// the mounted cells' handles and the runner — handed down through Svelte's context. For the notebook's own
// header, cell list and side panels; cells themselves take what they need from notebook-context.ts.
import { getContext, setContext } from 'svelte';
import type { NotebookSession } from '$lib/collab/session.svelte';
import type { NotebookView } from '$lib/collab/notebook-view.svelte';
import type { CellApi } from './cell-api';
import type { NotebookRunner } from './notebook-runner.svelte';
import type { NotebookRuns } from './notebook-runs.svelte';

export type NotebookParts = {
  readonly session: NotebookSession;
  readonly view: NotebookView;
  readonly runs: NotebookRuns;
  /** What each cell on the page can be asked (focus, run, report), by cell id; cells register themselves. */
  readonly apis: Record<string, CellApi>;
  readonly runner: NotebookRunner;
};

const KEY = Symbol('sheaf notebook parts');

export const setNotebookParts = (parts: NotebookParts): NotebookParts => setContext(KEY, parts);

export function notebookParts(): NotebookParts {
  const parts = getContext<NotebookParts | undefined>(KEY);
  if (!parts) throw new Error('A part of the notebook was used outside Notebook.svelte.');
  return parts;
}
