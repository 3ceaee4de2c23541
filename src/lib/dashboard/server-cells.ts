// A dashboard cell that runs on a database connection, re-run by the server for a viewer's values:
// GET /d/<slug>/cells/<name>?values=<JSON of input name → value> answers an Arrow IPC stream. The server binds
// allowed values only (400 with a message for another), caches, and limits how often one viewer may ask (429); a
// run that fails answers 503 with what a viewer may read of why.
// Answers are kept for the page's life, so going back to an earlier choice asks nothing.
import { tableFromIPC, type Table } from 'apache-arrow';
import type { Values } from './url-values';
import { ViewerError } from './viewer-error';

/** Answers kept, most recent last. */
const KEEP = 32;
const kept = new Map<string, Promise<Table>>();

export const serverCellUrl = (slug: string, name: string, values: Values): string =>
  `/d/${encodeURIComponent(slug)}/cells/${encodeURIComponent(name)}?values=${encodeURIComponent(
    JSON.stringify(values)
  )}`;

/** The cell's result for `values`; a refusal or failure as a ViewerError whose message a viewer may read. */
export function serverCell(url: string): Promise<Table> {
  let answer = kept.get(url);
  if (answer) {
    kept.delete(url);
    kept.set(url, answer);
    return answer;
  }
  answer = ask(url);
  kept.set(url, answer);
  answer.catch(() => kept.delete(url)); // a refusal or a blip is asked again next time
  for (const old of kept.keys()) {
    if (kept.size <= KEEP) break;
    kept.delete(old);
  }
  return answer;
}

async function ask(url: string): Promise<Table> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/vnd.apache.arrow.stream' } });
  } catch {
    throw new ViewerError('The server could not be reached to update this card. Check your connection.');
  }
  // Our own server's words for a refused value (400), a limit (429) or a failed run (503) are written for viewers
  // (connection details scrubbed): shown as they are.
  if (res.status === 400 || res.status === 429 || res.status === 503) {
    const told = await serverMessage(res);
    if (told) throw new ViewerError(told);
    if (res.status === 400) throw new ViewerError('The server refused these filter values.');
    if (res.status === 429)
      throw new ViewerError('Too many updates in a short time: wait a moment, then change a filter again.');
  }
  if (res.status === 404)
    throw new ViewerError('This dashboard has changed since the page was opened: reload the page.');
  if (!res.ok) throw new ViewerError(`The server could not update this card (HTTP ${res.status}).`);
  return tableFromIPC(new Uint8Array(await res.arrayBuffer()));
}

/** The message of an error answer ({ error: { message } }, or { message }), if it has one. */
async function serverMessage(res: Response): Promise<string | null> {
  const body = (await res.json().catch(() => null)) as {
    message?: unknown;
    error?: { message?: unknown };
  } | null;
  const message = body?.error?.message ?? body?.message;
  return typeof message === 'string' && message ? message.slice(0, 500) : null;
}
