// Stored results over HTTP, outside SvelteKit (whose body limit is meant for forms):
//   PUT /api/results/:notebookId/:cellId/:runId    body: Arrow IPC stream; header x-sheaf-upload: 1
//   GET /api/results/:notebookId/:cellId/:runId                  the Arrow stream
//   GET /api/results/:notebookId/:cellId/:runId?format=parquet   the same rows as a Parquet download
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import type { Db } from '../db/types';
import { AppError } from '../errors';
import { refuseBody, sendError } from '../http/raw-errors';
import { sameOrigin, userOf } from '../http/session-of';
import { CellIdSchema, NotebookIdSchema, parseId } from '../ids';
import { RESULT_LIMIT_BYTES } from '../../cells/sql/run-record';
import { parquetOf } from './parquet-export';
import { resultPath, storeResult } from './results';

export type ResultHttpOptions = { getDb: () => Promise<Db>; dataDir: string };

const ROUTE = /^\/api\/results\/([a-z2-7]{16})\/([^/]+)\/([^/]+)$/;

/** The path's ids; any that cannot be one names no result. */
const resultIds = (notebookId: string, cellId: string) => ({
  notebookId: parseId(NotebookIdSchema, notebookId, 'That result'),
  cellId: parseId(CellIdSchema, cellId, 'That result')
});

export function createResultHandler(opts: ResultHttpOptions) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const m = ROUTE.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!m) return false;
    const [, notebookId, cellId, runId] = m as unknown as [string, string, string, string];
    if (req.method === 'PUT') void put(opts, req, res, notebookId, cellId, runId);
    else if (req.method === 'GET')
      void get(opts, req, res, notebookId, cellId, runId).catch((e) => sendError(res, e, 'the result'));
    else return false;
    return true;
  };
}

async function put(
  opts: ResultHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  notebookId: string,
  cellId: string,
  runId: string
) {
  const refuse = (e: AppError) => refuseBody(req, res, e);
  if (req.headers['x-sheaf-upload'] !== '1' || !sameOrigin(req)) {
    return refuse(new AppError('forbidden', 'Results must come from the Sheaf app.'));
  }
  if (Number(req.headers['content-length'] ?? 0) > RESULT_LIMIT_BYTES) {
    return refuse(new AppError('too_large', 'This result is larger than 50 MB; store a preview instead.'));
  }
  try {
    const db = await opts.getDb();
    const user = await userOf(db, req);
    if (!user) return refuse(new AppError('unauthorized', 'Log in to store results.'));
    const stored = await storeResult(db, opts.dataDir, {
      userId: user.id,
      ...resultIds(notebookId, cellId),
      runId,
      body: req
    });
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stored));
  } catch (e) {
    if (e instanceof AppError) refuse(e);
    else sendError(res, e, 'the result');
  }
}

async function get(
  opts: ResultHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  notebookId: string,
  cellId: string,
  runId: string
) {
  const db = await opts.getDb();
  const user = await userOf(db, req);
  if (!user) throw new AppError('unauthorized', 'Log in to read results.');
  const file = await resultPath(db, opts.dataDir, {
    userId: user.id,
    ...resultIds(notebookId, cellId),
    runId
  });
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.searchParams.get('format') === 'parquet') {
    const parquet = await parquetOf(file);
    const name = (url.searchParams.get('name') ?? 'result').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 63);
    res.writeHead(200, {
      'content-type': 'application/vnd.apache.parquet',
      'content-length': String((await stat(parquet)).size),
      'content-disposition': `attachment; filename="${name || 'result'}.parquet"`,
      'cache-control': 'private, no-store'
    });
    pipeline(createReadStream(parquet), res, () => undefined);
    return;
  }
  const { size } = await stat(file);
  res.writeHead(200, {
    'content-type': 'application/vnd.apache.arrow.stream',
    'content-length': String(size),
    'cache-control': 'private, max-age=86400', // a run id's result never changes
    etag: `"${runId}"`
  });
  // pipeline, not pipe: a reader that goes away mid-download must close the file too (pipe() leaves it open).
  pipeline(createReadStream(file), res, () => undefined);
}
