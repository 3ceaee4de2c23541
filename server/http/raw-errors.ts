// Error replies for the routes served outside SvelteKit (uploads, file reads, stored results): the same JSON
// shape as apiError, and a generic message for anything that is not an AppError.
import type { ServerResponse } from 'node:http';
import { AppError, isAppError } from '../errors';

export function sendError(res: ServerResponse, e: unknown, what = 'the request'): void {
  if (!isAppError(e)) {
    // A person who closed the tab or cancelled is not a failure of ours: nobody to answer, nothing to log.
    if (clientWentAway(res, e)) return void res.destroy();
    console.error(`raw route (${what}):`, e);
    e = new AppError(
      'unavailable',
      `Something went wrong on our side while handling ${what}. Please try again.`
    );
  }
  const err = e as AppError;
  if (res.headersSent) return void res.destroy();
  res.writeHead(err.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code: err.code, message: err.message } }));
}

/** Refuses a request whose body we will not read, and closes the connection rather than draining it. */
export function refuseBody(req: import('node:http').IncomingMessage, res: ServerResponse, e: AppError): void {
  res.setHeader('connection', 'close');
  sendError(res, e);
  res.on('finish', () => req.destroy());
}

const GONE = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNABORTED']);

function clientWentAway(res: ServerResponse, e: unknown): boolean {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const message = e instanceof Error ? e.message : '';
  return res.destroyed || GONE.has(code) || message === 'aborted';
}
