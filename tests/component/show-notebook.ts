// Mounts a document's cells in cell frames (CellHarness.svelte) inside a notebook context made of the notebook's
// own classes — its view, runs, inputs, browser DuckDB and connections — as Notebook.svelte sets them up.
import { flushSync, mount, unmount } from 'svelte';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { parts, setCellKind } from '$cells/document';
import { isCellKind } from '$cells/registry';
import { NotebookView } from '$lib/collab/notebook-view.svelte';
import type { CellActions, CellApi } from '$lib/components/notebook/cell-api';
import { NotebookRuns } from '$lib/components/notebook/notebook-runs.svelte';
import { WorkspaceConnections } from '$lib/connections/connections.svelte';
import { BrowserDuckDB } from '$lib/engine/engine';
import CellHarness from './CellHarness.svelte';

export type Shown = {
  target: HTMLElement;
  doc: Y.Doc;
  runs: NotebookRuns;
  /** What each cell's frame registered, by cell id. */
  apis: Map<string, CellApi>;
  destroy: () => void;
};

export function showNotebook(doc: Y.Doc, { readOnly = false } = {}): Shown {
  const target = document.createElement('div');
  document.body.append(target);
  const view = new NotebookView(doc);
  const runs = new NotebookRuns(doc, view, 'nb-test');
  const p = parts(doc);
  const awareness = new Awareness(doc);
  const apis = new Map<string, CellApi>();
  // The kind menu is the only action these tests use; the rest belong to the cell list.
  const actions = (cellId: string): CellActions => ({
    select: () => {},
    command: () => {},
    advance: () => {},
    move: () => {},
    remove: () => {},
    setKind: (k) => isCellKind(k) && setCellKind(doc, cellId, k),
    rename: () => false,
    dragStart: () => {}
  });
  const component = mount(CellHarness, {
    target,
    props: {
      context: {
        readOnly,
        userName: 'Ada',
        awareness,
        undoManager: new Y.UndoManager([p.order, p.cells, p.meta]),
        duckdb: new BrowserDuckDB(),
        runContext: runs.context,
        connections: new WorkspaceConnections('ws-test'),
        inputs: runs.inputs,
        schema: {},
        runCell: async () => {}
      },
      view,
      actions,
      register: (id: string, api: CellApi) => apis.set(id, api)
    }
  });
  flushSync();
  return {
    target,
    doc,
    runs,
    apis,
    destroy: () => {
      void unmount(component);
      runs.destroy();
      view.destroy();
      awareness.destroy();
      target.remove();
    }
  };
}
