// A real HTTP server with the raw routes (files, results), and a client that uploads and reads like the browser does.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Db } from '../../../server/db/types';
import { randomBytes } from 'node:crypto';
import { secretBox, type SecretBox } from '../../../server/connectors/secret-box';
import { createRawHandler } from '../../../server/http/raw-routes';

export type FilesServer = {
  port: number;
  dataDir: string;
  box: SecretBox;
  http: Server;
  close: () => Promise<void>;
};

export async function startFilesServer(db: Db, uploadLimitBytes = 1024 ** 3): Promise<FilesServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-files-'));
  const box = secretBox(randomBytes(32));
  const files = createRawHandler({ getDb: async () => db, dataDir, uploadLimitBytes, secretBox: () => box });
  const http = createServer((req, res) => {
    if (!files(req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    port: (http.address() as AddressInfo).port,
    dataDir,
    box,
    http,
    close: () => new Promise<void>((r) => http.close(() => r()))
  };
}

export type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

/** One HTTP request; `chunked` sends the body without a content-length, as a stream would. */
export function send(
  port: number,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: Buffer; chunked?: boolean }
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: opts.method, path: opts.path, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })
        );
        res.on('error', reject);
      }
    );
    req.on('error', (e) =>
      ('code' in e && e.code === 'ECONNRESET') || ('code' in e && e.code === 'EPIPE') ? undefined : reject(e)
    );
    if (opts.body && opts.chunked) {
      const size = 64 * 1024;
      for (let i = 0; i < opts.body.length; i += size) req.write(opts.body.subarray(i, i + size));
      req.end();
    } else req.end(opts.body);
  });
}

export function upload(
  port: number,
  token: string,
  workspaceId: string,
  name: string,
  body: Buffer,
  chunked = false
) {
  return send(port, {
    method: 'POST',
    path: `/api/upload?workspace=${workspaceId}&name=${encodeURIComponent(name)}`,
    headers: {
      cookie: `sheaf_session=${token}`,
      'x-sheaf-upload': '1',
      ...(chunked ? {} : { 'content-length': String(body.length) })
    },
    body,
    chunked
  });
}

export const json = (r: Reply) => JSON.parse(r.body.toString('utf8'));
