// File uploads (streamed, with a size limit) and Parquet reads with HTTP range requests. Served ahead of
// SvelteKit, whose request body limit is meant for forms, not gigabyte files.
//   POST /api/upload?workspace=ID&name=FILE     body: the file; header x-sheaf-upload: 1
//   GET|HEAD /api/files/:id/data.parquet        Range: bytes=a-b
//   GET|HEAD /api/files/:id/data.duckdb         the copy browsers query (see browser-copy.ts)
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/types';
import { AppError, isAppError } from '../errors';
import { sendFileRange } from '../http/byte-range';
import { refuseBody, sendError } from '../http/raw-errors';
import { sameOrigin, userOf } from '../http/session-of';
import { workspaceIdParam } from '../ids';
import { ensureBrowserCopy } from './browser-copy';
import { getFile, parquetPath, storeUpload } from './files';

export type FileHttpOptions = { getDb: () => Promise<Db>; dataDir: string; uploadLimitBytes: number };
type Handler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Uploads one person may have in progress at once. */
const UPLOADS_AT_ONCE = 4;
const uploading = new Map<string, number>();

const READ = /^\/api\/files\/([a-z2-7]{16})\/data\.(parquet|duckdb)$/;

export function createFileHandler(opts: FileHttpOptions): Handler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/api/upload' && req.method === 'POST') {
      void upload(opts, req, res, url);
      return true;
    }
    const m = READ.exec(url.pathname);
    if (m && (req.method === 'GET' || req.method === 'HEAD')) {
      void read(opts, req, res, m[1]!, m[2] as 'parquet' | 'duckdb').catch((e) =>
        sendError(res, e, 'the file')
      );
      return true;
    }
    return false;
  };
}

async function upload(opts: FileHttpOptions, req: IncomingMessage, res: ServerResponse, url: URL) {
  // Custom header + same origin: a form on another site can send neither.
  const refuse = (e: AppError) => refuseBody(req, res, e);
  if (req.headers['x-sheaf-upload'] !== '1' || !sameOrigin(req)) {
    return refuse(new AppError('forbidden', 'Uploads must come from the Sheaf app.'));
  }
  // The sender going away (a closed tab, a cancelled upload) stops the conversion and removes what was written.
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  try {
    const db = await opts.getDb();
    const user = await userOf(db, req);
    if (!user) return refuse(new AppError('unauthorized', 'Log in to upload files.'));
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > opts.uploadLimitBytes) {
      return refuse(
        new AppError(
          'too_large',
          `This file is larger than the upload limit of ${Math.round(opts.uploadLimitBytes / 1024 ** 2)} MB. Nothing was stored.`
        )
      );
    }
    // Each upload in progress holds up to the upload limit on disk and waits for a conversion slot: one person
    // may not queue up the whole disk. The Files panel sends files one after another.
    // Gone while we looked the session up: its 'close' has fired already, so a place taken now would be kept.
    if (gone.signal.aborted) return void req.destroy();
    const mine = uploading.get(user.id) ?? 0;
    if (mine >= UPLOADS_AT_ONCE) {
      return refuse(
        new AppError(
          'rate_limited',
          `You have ${mine} uploads in progress; wait for them to finish and try again.`
        )
      );
    }
    uploading.set(user.id, mine + 1);
    res.once('close', () => {
      const left = (uploading.get(user.id) ?? 1) - 1;
      if (left > 0) uploading.set(user.id, left);
      else uploading.delete(user.id);
    });
    const file = await storeUpload(db, opts.dataDir, {
      userId: user.id,
      workspaceId: workspaceIdParam(url.searchParams.get('workspace')),
      fileName: url.searchParams.get('name') ?? '',
      source: req,
      limitBytes: opts.uploadLimitBytes,
      signal: gone.signal
    });
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ file }));
  } catch (e) {
    // A person who closed the tab or cancelled is not a failure of ours: nothing to answer, nothing to log.
    if (gone.signal.aborted) return void req.destroy();
    refuse(
      isAppError(e) ? e : new AppError('unavailable', 'The upload failed on our side. Nothing was stored.')
    );
    if (!isAppError(e)) console.error('files: upload failed:', e);
  }
}

async function read(
  opts: FileHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  fileId: string,
  kind: 'parquet' | 'duckdb'
) {
  const db = await opts.getDb();
  const user = await userOf(db, req);
  if (!user) throw new AppError('unauthorized', 'Log in to read this file.');
  const file = await getFile(db, user.id, fileId);
  const parquet = parquetPath(opts.dataDir, file.workspaceId, file.id);
  const filePath = kind === 'parquet' ? parquet : await ensureBrowserCopy(parquet);
  await sendFileRange(req, res, filePath, {
    'content-type': kind === 'parquet' ? 'application/vnd.apache.parquet' : 'application/octet-stream',
    'cache-control': 'private, max-age=3600',
    etag: `"${file.id}-${kind}"` // stored files never change: a new upload is a new id
  });
}
