// Routes served ahead of SvelteKit because they move large bodies: uploads and file reads, stored results.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from '../db/types';
import { createFileHandler } from '../files/http';
import { createResultHandler } from '../results/http';

export type RawRouteOptions = { getDb: () => Promise<Db>; dataDir: string; uploadLimitBytes: number };

export function createRawHandler(opts: RawRouteOptions) {
  const files = createFileHandler(opts);
  const results = createResultHandler(opts);
  return (req: IncomingMessage, res: ServerResponse): boolean => files(req, res) || results(req, res);
}
