// Serves DuckDB-WASM (from node_modules, bundled once with esbuild) and data files to headless Chromium, and
// runs SQL there: the browser half of bench:sql.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from '@playwright/test';

const DIST = path.resolve('node_modules/@duckdb/duckdb-wasm/dist');

export type BrowserDuckDB = {
  /** Runs `sql` and returns the elapsed milliseconds measured in the page, and the first row as JSON. */
  run(sql: string): Promise<{ ms: number; first: string }>;
  attach(fileName: string, alias: string): Promise<number>;
  close(): Promise<void>;
};

export async function startBrowserDuckDB(dataDir: string): Promise<BrowserDuckDB> {
  const work = await mkdtemp(path.join(tmpdir(), 'sheaf-bench-wasm-'));
  const entry = path.join(work, 'entry.mjs');
  await writeFile(entry, "export * from '@duckdb/duckdb-wasm';\n");
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    outfile: path.join(work, 'duck.mjs'),
    nodePaths: [path.resolve('node_modules')],
    logLevel: 'warning'
  });
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (url === '/')
      return void res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>bench</title>');
    const file =
      url === '/duck.mjs'
        ? path.join(work, 'duck.mjs')
        : url.startsWith('/dist/')
          ? path.join(DIST, path.basename(url))
          : url.startsWith('/data/')
            ? path.join(dataDir, path.basename(url))
            : '';
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
      return void createReadStream(file, { start, end }).pipe(res);
    }
    res.writeHead(200, { 'content-type': type, 'content-length': size, 'accept-ranges': 'bytes' });
    if (req.method === 'HEAD') return void res.end();
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
  await page.evaluate(async () => {
    const duckdb = await import(/* @vite-ignore */ '/duck.mjs' as string);
    const db = new duckdb.AsyncDuckDB(
      new duckdb.VoidLogger(),
      new Worker('/dist/duckdb-browser-eh.worker.js')
    );
    await db.instantiate('/dist/duckdb-eh.wasm');
    const conn = await db.connect();
    Object.assign(window, { benchDb: db, benchConn: conn, benchDuck: duckdb });
  });
  return {
    async attach(fileName, alias) {
      return page.evaluate(
        async ([fileName, alias]) => {
          const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- page globals set above
          const t0 = performance.now();
          await w.benchDb.registerFileURL(
            fileName,
            `${location.origin}/data/${fileName}`,
            w.benchDuck.DuckDBDataProtocol.HTTP,
            false
          );
          await w.benchConn.query(`attach '${fileName}' as ${alias} (read_only)`);
          await w.benchConn.query(`select count(*) from ${alias}.data`);
          return performance.now() - t0;
        },
        [fileName, alias]
      );
    },
    async run(sql) {
      return page.evaluate(async (sql) => {
        const w = window as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- page globals set above
        const t0 = performance.now();
        const table = await w.benchConn.query(sql);
        const ms = performance.now() - t0;
        const row = table.get(0)?.toJSON() ?? {};
        return { ms, first: JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) };
      }, sql);
    },
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  };
}
