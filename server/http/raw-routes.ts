// Routes served ahead of SvelteKit because they move large bodies: uploads and file reads, stored results,
// query results streamed from connected databases, and dashboards' base tables.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/types';
import { createQueryHandler } from '../connectors/http';
import type { SecretBox } from '../connectors/secret-box';
import { createFileHandler } from '../files/http';
import { createSnapshotHandler } from '../publish/http';
import { createResultHandler } from '../results/http';

export type RawRouteOptions = {
  getDb: () => Promise<Db>;
  dataDir: string;
  uploadLimitBytes: number;
  secretBox: () => SecretBox;
};

export function createRawHandler(opts: RawRouteOptions) {
  const files = createFileHandler(opts);
  const results = createResultHandler(opts);
  const queries = createQueryHandler(opts);
  const snapshots = createSnapshotHandler(opts);
  return (req: IncomingMessage, res: ServerResponse): boolean =>
    files(req, res) || results(req, res) || queries(req, res) || snapshots(req, res);
}
