// Routes served ahead of SvelteKit because they move large bodies: uploads and file reads, stored results,
// query results streamed from connected databases, and dashboards' base tables; and unsubscribe links (no
// session, and mail providers' one-click POSTs carry no Origin).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/types';
import { createQueryHandler } from '../connectors/http';
import type { SecretBox } from '../connectors/secret-box';
import { createFileHandler } from '../files/http';
import { createSnapshotHandler } from '../publish/http';
import { createUnsubscribeHandler } from '../deliveries/unsubscribe-http';
import { unsubscribeKey } from '../deliveries/unsubscribe-token';
import { createResultHandler } from '../results/http';

export type RawRouteOptions = {
  getDb: () => Promise<Db>;
  dataDir: string;
  uploadLimitBytes: number;
  secretBox: () => SecretBox;
  /** The key unsubscribe links are signed with (derived from SECRET_KEY unless given). */
  unsubscribeKey?: () => Uint8Array;
};

export function createRawHandler(opts: RawRouteOptions) {
  const files = createFileHandler(opts);
  const results = createResultHandler(opts);
  const queries = createQueryHandler(opts);
  const snapshots = createSnapshotHandler(opts);
  let key: Uint8Array | undefined;
  const unsubscribe = createUnsubscribeHandler({
    getDb: opts.getDb,
    key: opts.unsubscribeKey ?? (() => (key ??= unsubscribeKey()))
  });
  return (req: IncomingMessage, res: ServerResponse): boolean =>
    files(req, res) || results(req, res) || queries(req, res) || snapshots(req, res) || unsubscribe(req, res);
}
