// A page in headless Chromium for the browser halves of benchmarks: serves a bundle made with esbuild, DuckDB-WASM's
// files from node_modules and a data folder (with range requests), and opens the page.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from '@playwright/test';

const DIST = path.resolve('node_modules/@duckdb/duckdb-wasm/dist');

export type BenchPage = {
  page: Page;
  origin: string;
  /** Bytes of data files sent so far (bodies of GET responses under /data/ and /api/files/). */
  servedBytes(): number;
  close(): Promise<void>;
};

/** Bundles `entrySource` (an ES module) to /bundle/entry.js and opens a blank page that can import it. */
export async function openBenchPage(entrySource: string, dataDir?: string): Promise<BenchPage> {
  const work = await mkdtemp(path.join(tmpdir(), 'sheaf-bench-page-'));
  const entry = path.join(work, 'entry.ts');
  await writeFile(entry, entrySource);
  const out = path.join(work, 'bundle');
  await build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: out,
    nodePaths: [path.resolve('node_modules')],
    alias: { $cells: path.resolve('cells'), $lib: path.resolve('src/lib') },
    logLevel: 'warning'
  });
  let served = 0;
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (url === '/')
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>bench</title><body style="width:800px"></body>');
    const file = url.startsWith('/bundle/')
      ? path.join(out, path.basename(url))
      : url.startsWith('/dist/')
        ? path.join(DIST, path.basename(url))
        : url.startsWith('/data/') && dataDir
          ? path.join(dataDir, path.basename(url))
          : /^\/api\/files\/\w+\/data\.(parquet|duckdb)$/.test(url) && dataDir
            ? path.join(dataDir, `${url.split('/')[3]}.${url.split('.').pop()}`) // Sheaf's file URLs, as the app serves them
            : '';
    const isData = url.startsWith('/data/') || url.startsWith('/api/files/');
    if (!file || !existsSync(file)) return void res.writeHead(404).end();
    const size = statSync(file).size;
    const type = file.endsWith('.wasm')
      ? 'application/wasm'
      : file.endsWith('js')
        ? 'text/javascript'
        : 'application/octet-stream';
    const m = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    if (m) {
      const start = Number(m[1]);
      const end = m[2] ? Number(m[2]) : size - 1;
      res.writeHead(206, {
        'content-type': type,
        'content-range': `bytes ${start}-${end}/${size}`,
        'content-length': end - start + 1,
        'accept-ranges': 'bytes'
      });
      if (req.method === 'HEAD') return void res.end();
      if (isData) served += end - start + 1;
      return void createReadStream(file, { start, end }).pipe(res);
    }
    res.writeHead(200, { 'content-type': type, 'content-length': size, 'accept-ranges': 'bytes' });
    if (req.method === 'HEAD') return void res.end();
    if (isData) served += size;
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu']
  });
  const page: Page = await browser.newPage();
  await page.goto(origin + '/');
  return {
    page,
    origin,
    servedBytes: () => served,
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  };
}
