// Which cells an input's change re-runs, with the notebook's own runs and inputs over a real document: editors'
// local cells always, connection cells only with "Run on change" on; a viewer's whole local chain downstream of
// the input, in notebook order.
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { insertCell, orderedCells } from '$cells/document';
import { hashSource } from '$cells/sql/run-record';
import { NotebookView } from '$lib/collab/notebook-view.svelte';
import type { NotebookSession } from '$lib/collab/session.svelte';
import type { CellApi } from '$lib/components/notebook/cell-api';
import { NotebookRunner, RUN_ON_CHANGE } from '$lib/components/notebook/notebook-runner.svelte';
import { NotebookRuns } from '$lib/components/notebook/notebook-runs.svelte';

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

/** An input `flag`; a local cell binding it, a connection cell binding it, a local cell reading the first, and
 * a local cell that reads nothing. Each ran with the input's current value. */
function notebook(readOnly: boolean) {
  const doc = new Y.Doc();
  insertCell(doc, { kind: 'input', name: 'flag', config: { widget: 'checkbox', value: false } }, 0);
  const cells = [
    { name: 'local_q', source: 'select {{flag}} as f' },
    { name: 'remote_q', source: 'select {{flag}} as f', config: { engine: 'conn-1' } },
    { name: 'reader', source: 'select f from local_q' },
    { name: 'other', source: 'select 1' }
  ];
  cells.forEach((c, i) => insertCell(doc, { kind: 'sql', ...c }, i + 1));
  const view = new NotebookView(doc);
  const runs = new NotebookRuns(doc, view, 'nb-test');
  const apis: Record<string, CellApi> = {};
  const ran: string[] = [];
  let runner!: NotebookRunner;
  const session = { doc, synced: false } as unknown as NotebookSession;
  const stop = $effect.root(() => {
    runner = new NotebookRunner(session, view, runs, apis, () => readOnly);
  });
  flushSync();
  const ordered = orderedCells(doc);
  for (const c of ordered.slice(1)) {
    const sql = c.source.toString();
    const inputs = runs.context.inputs(c.id, sql);
    doc.transact(() => {
      for (const [k, v] of Object.entries({
        status: 'done',
        runId: `run-${c.name}`,
        sourceHash: hashSource(sql),
        engine: c.config.get('engine') ?? 'local',
        inputs
      }))
        c.run.set(k, v);
    });
    apis[c.id] = {
      run: vi.fn(async () => {
        ran.push(c.name);
      })
    } as unknown as CellApi;
  }
  flushSync();
  cleanup = () => {
    stop();
    runs.destroy();
  };
  const flip = () => runs.inputs.set(ordered[0]!, true, readOnly);
  return { doc, runs, runner, ran, flip };
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('re-runs after an input changes', () => {
  it('runs local and connection cells for an editor while "Run on change" is on', async () => {
    const nb = notebook(false);
    expect(nb.runner.runOnChange).toBe(true);
    nb.flip();
    await settle();
    expect(nb.ran).toEqual(['local_q', 'remote_q', 'reader']);
  });

  it('with "Run on change" off, runs the local cells and leaves connection cells alone', async () => {
    const nb = notebook(false);
    nb.doc.getMap('meta').set(RUN_ON_CHANGE, false);
    expect(nb.runner.runOnChange).toBe(false);
    nb.flip();
    await settle();
    expect(nb.ran).toEqual(['local_q', 'reader']);
  });

  it("runs a viewer's local chain downstream of the input, never a connection cell", async () => {
    const nb = notebook(true);
    nb.flip();
    await settle();
    expect(nb.ran).toEqual(['local_q', 'reader']);
  });
});
