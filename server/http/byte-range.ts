// Sends a file on disk with HTTP range requests (one range: 206; none: 200; unsatisfiable: 416), streamed. Used by
// uploaded files' Parquet and browser copies (server/files/http.ts) and dashboards' base tables
// (server/publish/http.ts); the caller has already decided the reader may have the file and sets its headers.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';

export async function sendFileRange(
  req: IncomingMessage,
  res: ServerResponse,
  filePath: string,
  headers: Record<string, string>
): Promise<void> {
  const { size } = await stat(filePath);
  // The caller's ETag names content that never changes: a browser holding it needs nothing more.
  if (headers.etag && req.headers['if-none-match'] === headers.etag) {
    res.writeHead(304, { etag: headers.etag, 'cache-control': headers['cache-control'] ?? 'no-cache' });
    return void res.end();
  }
  const out: Record<string, string> = { 'accept-ranges': 'bytes', ...headers };
  const range = req.headers.range;
  let start = 0;
  let end = size - 1;
  let status = 200;
  if (range) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (m && (m[1] || m[2])) {
      if (m[1]) {
        start = Number(m[1]);
        end = m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      } else {
        start = Math.max(0, size - Number(m[2])); // suffix range: the last N bytes
      }
    }
    if (!m || start > end || start >= size) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      return void res.end();
    }
    status = 206;
    out['content-range'] = `bytes ${start}-${end}/${size}`;
  }
  out['content-length'] = String(end - start + 1);
  res.writeHead(status, out);
  if (req.method === 'HEAD') return void res.end();
  // pipeline, not pipe: a reader that goes away mid-download (browsers cancel the copy's download when a query
  // is read in pieces after all) must close the file too; pipe() left it open, one descriptor each time.
  pipeline(createReadStream(filePath, { start, end }), res, () => undefined);
}
