// Queries on connections, served ahead of SvelteKit so the response can stream and a client that goes away
// cancels the query on the database:
//   POST /api/connections/:id/query   body: {"sql": "...", "inputs"?: {name: typed value}} (application/json)
//     `inputs` binds the query's {{name}} references as parameters (cells/sql/parameters.ts)
//   → 200 application/vnd.apache.arrow.stream: the result as an Arrow IPC stream, then a one-row status stream
//     (see arrow-ipc.ts); errors found before the first row are JSON with a 4xx/5xx status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Db } from '../db/types';
import { AppError } from '../errors';
import { refuseBody, sendError } from '../http/raw-errors';
import { sameOrigin, userOf } from '../http/session-of';
import { connectionIdParam } from '../ids';
import { parseInput } from '../validate';
import { InputValuesSchema } from '../../cells/sql/parameters';
import { IpcStreamEncoder, statusStream } from './arrow-ipc';
import { runQuery } from './engines';
import { QueryError } from './query-error';
import type { SecretBox } from './secret-box';
import { openConnection } from './store';

export type QueryHttpOptions = { getDb: () => Promise<Db>; secretBox: () => SecretBox };

const ROUTE = /^\/api\/connections\/([a-z2-7]{16})\/query$/;
const BODY_LIMIT = 1024 * 1024;
const QuerySchema = z.object({ sql: z.string().max(BODY_LIMIT), inputs: InputValuesSchema.optional() });

export function createQueryHandler(opts: QueryHttpOptions) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const m = ROUTE.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!m || req.method !== 'POST') return false;
    void run(opts, req, res, m[1]!).catch((e) => sendQueryError(res, e));
    return true;
  };
}

function sendQueryError(res: ServerResponse, e: unknown) {
  if (!(e instanceof QueryError)) return sendError(res, e, 'the query');
  if (res.headersSent) return void res.destroy();
  res.writeHead(e.status, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({ error: { code: e.code, reason: e.reason, message: e.message, position: e.position } })
  );
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > BODY_LIMIT) throw new AppError('too_large', 'A query may be at most 1 MB of text.');
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AppError('invalid', 'The request body must be JSON: {"sql": "..."}.');
  }
}

async function run(opts: QueryHttpOptions, req: IncomingMessage, res: ServerResponse, connectionId: string) {
  // JSON content type + same origin: a page on another site can send neither without our consent (CORS).
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json') || !sameOrigin(req)) {
    return refuseBody(req, res, new AppError('forbidden', 'Queries must come from the Sheaf app.'));
  }
  const db = await opts.getDb();
  const user = await userOf(db, req);
  if (!user) return refuseBody(req, res, new AppError('unauthorized', 'Log in to run queries.'));
  const { sql, inputs } = parseInput(QuerySchema, await readJson(req));
  const conn = await openConnection(db, opts.secretBox(), {
    userId: user.id,
    connectionId: connectionIdParam(connectionId),
    needed: 'editor'
  });

  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort('client');
  });
  // The databases' own limits can be dodged (a MySQL optimizer hint, a backend blocked writing to a slow
  // reader), so the server keeps its own clock too and cancels the run when it runs out.
  const wall = setTimeout(() => abort.abort('timeout'), (conn.settings.statementTimeoutS + 5) * 1000);
  const encoder = new IpcStreamEncoder();
  const write = async (bytes: Uint8Array) => {
    if (abort.signal.aborted) return; // the run is draining towards the database's cancel (see execute.ts)
    // Headers wait for the first batch, so that anything failing before it is a plain JSON error.
    if (!res.headersSent) {
      res.writeHead(200, {
        'content-type': 'application/vnd.apache.arrow.stream',
        'cache-control': 'no-store',
        'x-sheaf-row-cap': String(conn.settings.rowCap)
      });
    }
    if (res.write(bytes)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };
  try {
    const outcome = await runQuery(
      conn,
      sql,
      { batch: (b) => write(encoder.encode(b)) },
      abort.signal,
      inputs
    );
    clearTimeout(wall);
    res.write(encoder.end());
    res.end(statusStream({ status: 'ok', rows: outcome.rows, truncated: outcome.truncated }));
  } catch (e) {
    clearTimeout(wall);
    if (!res.headersSent) throw e;
    // Rows went out already: end the result stream and say in the status stream why it stopped.
    const q = e instanceof QueryError ? e : new QueryError('other', 'The query failed on our side.');
    if (!(e instanceof QueryError)) console.error('connection query failed:', e);
    if (res.destroyed) return;
    res.write(encoder.end());
    res.end(statusStream({ status: 'error', rows: 0, message: q.message, code: q.reason }));
  }
}
