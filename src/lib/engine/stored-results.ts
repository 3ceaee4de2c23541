// Moves SQL results between a browser and the server: upload after a run (a preview when too large), fetch a
// co-editor's run.
import { errorMessage } from '$lib/api-error';
import { RESULT_LIMIT_BYTES } from '$cells/sql/run-record';
import { Table, tableFromIPC, tableToIPC, vectorFromArray, type Vector } from 'apache-arrow';
import type { SqlCellState } from '$cells/sql/staleness';

export const resultUrl = (notebookId: string, cellId: string, runId: string) =>
  `/api/results/${notebookId}/${cellId}/${runId}`;

export type Stored = { stored: 'full' | 'preview'; storedRows: number };

/** The result as Arrow IPC, cut to the first rows that fit under the limit when it is bigger. */
export function encodeForStorage(table: Table, limit = RESULT_LIMIT_BYTES): { ipc: Uint8Array } & Stored {
  let ipc = tableToIPC(table, 'stream');
  if (ipc.byteLength <= limit) return { ipc, stored: 'full', storedRows: table.numRows };
  let rows = Math.floor(table.numRows * (limit / ipc.byteLength) * 0.9);
  for (;;) {
    ipc = tableToIPC(copyOf(table.slice(0, rows)), 'stream');
    if (ipc.byteLength <= limit || rows === 0) return { ipc, stored: 'preview', storedRows: rows };
    rows = Math.floor(rows * 0.8);
  }
}

export async function uploadResult(
  notebookId: string,
  cellId: string,
  runId: string,
  table: Table
): Promise<Stored> {
  const { ipc, ...stored } = encodeForStorage(table);
  const res = await fetch(resultUrl(notebookId, cellId, runId), {
    method: 'PUT',
    headers: { 'x-sheaf-upload': '1', 'content-type': 'application/vnd.apache.arrow.stream' },
    // tableToIPC writes into a plain ArrayBuffer (never a SharedArrayBuffer), which fetch accepts.
    body: ipc as Uint8Array<ArrayBuffer>
  });
  if (!res.ok) throw new Error(await errorMessage(res, 'Storing the result failed'));
  return stored;
}

/** Stored results are immutable (a new run has a new id), so the page keeps recent ones: a table, its chart and
 * the engine ask for the same result as a notebook opens, and it should cross the network once. */
const KEEP_BYTES = 64 * 1024 ** 2;
const kept = new Map<string, Promise<Uint8Array>>();
const keptSize = new Map<string, number>();

function keep(url: string, bytes: Promise<Uint8Array>) {
  kept.set(url, bytes);
  bytes.then(
    (b) => {
      keptSize.set(url, b.byteLength);
      let total = [...keptSize.values()].reduce((a, n) => a + n, 0);
      for (const old of kept.keys()) {
        if (total <= KEEP_BYTES) break;
        total -= keptSize.get(old) ?? 0;
        kept.delete(old);
        keptSize.delete(old);
      }
    },
    () => kept.delete(url) // a failure is not kept: the next ask tries again
  );
}

/** The bytes at a stored result's URL, downloaded once per page while kept (a copy each time: the engine hands
 * its copy to DuckDB's worker, which detaches it). The first ask takes the page's preload of it, if any. */
export async function resultBytes(url: string, what = 'The stored result'): Promise<Uint8Array> {
  let bytes = kept.get(url);
  if (!bytes) {
    bytes = fetch(url).then(async (res) => {
      if (!res.ok) throw new Error(`${what} is not available (HTTP ${res.status}).`);
      return new Uint8Array(await res.arrayBuffer());
    });
    keep(url, bytes);
  }
  return (await bytes).slice();
}

/** Stored results the page's HTML carried (Arrow IPC, base64), kept as if fetched. */
export function keepEmbeddedResults(
  notebookId: string,
  results: { cellId: string; runId: string; ipc: string }[]
): void {
  for (const r of results) {
    const url = resultUrl(notebookId, r.cellId, r.runId);
    if (!kept.has(url)) keep(url, Promise.resolve(Uint8Array.from(atob(r.ipc), (c) => c.charCodeAt(0))));
  }
}

export const fetchResult = (notebookId: string, cellId: string, runId: string): Promise<Uint8Array> =>
  resultBytes(resultUrl(notebookId, cellId, runId));

/**
 * The stored result of the cell called `name` among `cells`, when it holds all its rows and at most `maxRows` of
 * them; else null, as when it cannot be fetched (the caller then asks the engine, which says what is wrong).
 */
export async function storedTable(
  notebookId: string,
  cells: SqlCellState[],
  name: string,
  maxRows: number
): Promise<Table | null> {
  const cell = cells.find((c) => c.name === name);
  const run = cell?.run;
  if (!cell || run?.status !== 'done' || !run.runId || run.stored !== 'full') return null;
  if (run.rows === undefined || run.rows > maxRows) return null;
  try {
    return tableFromIPC(await fetchResult(notebookId, cell.id, run.runId));
  } catch {
    return null;
  }
}

/** A slice with its own buffers: Arrow JS writes a slice of strings with the whole original value buffer. */
function copyOf(slice: Table): Table {
  const names = slice.schema.fields.map((f) => f.name);
  if (new Set(names).size !== names.length) return slice;
  try {
    const columns: Record<string, Vector> = {};
    slice.schema.fields.forEach((f, i) => {
      columns[f.name] = vectorFromArray([...(slice.getChildAt(i) ?? [])], f.type);
    });
    return new Table(columns);
  } catch {
    return slice; // a type vectorFromArray cannot rebuild: the slice, bigger but correct
  }
}
