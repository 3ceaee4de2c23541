// A published dashboard's base tables for viewers' browsers (interactive dashboards, issue 21), served ahead of
// SvelteKit because they are big and read with range requests:
//   GET|HEAD /d/:slug/snapshots/:snapshotId/table-<n>.parquet     Range: bytes=a-b
//   GET|HEAD /d/:slug/snapshots/:snapshotId/answer-<n>.arrow      (precomputed answers, precompute.ts)
// The snapshot's id is in the URL so a refresh never mixes old and new bytes in one viewer's reads; a snapshot
// that is no longer current answers 404 saying to reload. Who may read is the dashboard page's rule
// (dashboard-access.ts); only files the snapshot lists (base tables, answers) are served.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/types';
import { sendFileRange } from '../http/byte-range';
import { notFound } from '../errors';
import { sendError } from '../http/raw-errors';
import { userOf } from '../http/session-of';
import { baseTablePath } from './open-dashboard';

export type SnapshotHttpOptions = { getDb: () => Promise<Db>; dataDir: string };

const TABLE = /^\/d\/([^/]{1,200})\/snapshots\/([^/]{1,64})\/([^/]{1,64})$/;

export function createSnapshotHandler(opts: SnapshotHttpOptions) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = TABLE.exec(url.pathname);
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    void serve(opts, req, res, m.slice(1) as [string, string, string]).catch((e) =>
      sendError(res, e, 'the dashboard’s data')
    );
    return true;
  };
}

async function serve(
  opts: SnapshotHttpOptions,
  req: IncomingMessage,
  res: ServerResponse,
  raw: [string, string, string]
) {
  let slug: string, snapshotId: string, file: string;
  try {
    [slug, snapshotId, file] = raw.map(decodeURIComponent) as [string, string, string];
  } catch {
    throw notFound('That table'); // a malformed escape names nothing we serve
  }
  const db = await opts.getDb();
  const user = await userOf(db, req);
  const table = await baseTablePath(db, opts.dataDir, slug, user?.id ?? null, snapshotId, file);
  await sendFileRange(req, res, table.path, {
    'content-type': file.endsWith('.arrow')
      ? 'application/vnd.apache.arrow.stream'
      : 'application/vnd.apache.parquet',
    // A snapshot's files never change (a refresh makes a new snapshot id). Anyone's copy may be kept for a public
    // dashboard, for an hour (so a link turned off or members-only stops reaching shared caches soon); only the
    // member's own browser keeps a members-only one.
    'cache-control':
      table.visibility === 'public' ? 'public, max-age=3600, immutable' : 'private, max-age=3600, immutable',
    etag: `"${snapshotId}-${file}"`
  });
}
