import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

const COMPRESSIBLE = /\.(html|m?js|json|css|svg|xml|wasm|txt)$/;
/** Above this, a file (DuckDB's wasm, ~40 MB) is compressed fast rather than small: brotli at its best takes
 * minutes on it; gzip 6 and brotli 5 take seconds and come within 5% of it. */
const LARGE = 2 * 1024 * 1024;
/** Brotli 9, not 11, for the rest: 11 took 17 s of CPU for the client's 3.9 MB of JavaScript and CSS, 9 took 2.6 s
 * for 8% more bytes (1,048 KB against 965 KB), on every build, e2e runs included. */
const BROTLI_QUALITY = 9;

/** Writes file.gz and file.br beside every compressible file under `dir`, which adapter-node then serves to
 * browsers that accept them (with the immutable cache headers of the originals). */
async function precompress(dir) {
  if (!existsSync(dir)) return;
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => COMPRESSIBLE.test(f) && statSync(f).isFile());
  await Promise.all(
    files.flatMap((file) => {
      const size = statSync(file).size;
      const large = size > LARGE;
      const gzip = () => zlib.createGzip({ level: large ? 6 : 9 });
      const brotli = () =>
        zlib.createBrotliCompress({
          params: {
            [zlib.constants.BROTLI_PARAM_MODE]: file.endsWith('.wasm')
              ? zlib.constants.BROTLI_MODE_GENERIC
              : zlib.constants.BROTLI_MODE_TEXT,
            [zlib.constants.BROTLI_PARAM_QUALITY]: large ? 5 : BROTLI_QUALITY,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size
          }
        });
      return [
        pipeline(createReadStream(file), gzip(), createWriteStream(`${file}.gz`)),
        pipeline(createReadStream(file), brotli(), createWriteStream(`${file}.br`))
      ];
    })
  );
}

// adapter-node serves precompressed files only when it compressed them itself, and its own compression (brotli at
// its best for every file) takes a minute per build on the wasm bundles: it is given ours instead.
const node = adapter({ precompress: true });
/** @type {import('@sveltejs/kit').Adapter} */
const nodeAdapter = { ...node, adapt: (builder) => node.adapt({ ...builder, compress: precompress }) };

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: nodeAdapter,
    typescript: {
      // Type-check every folder, not only what src/ happens to import.
      config: (tsconfig) => {
        tsconfig.include.push(
          '../server/**/*.ts',
          '../cells/**/*.ts',
          '../cells/**/*.svelte',
          '../bench/**/*.ts',
          '../playwright.config.ts'
        );
      }
    },
    // Defence in depth for user content (markdown, Vega specs): no eval, no script from elsewhere, no plugins.
    // 'wasm-unsafe-eval' lets DuckDB-WASM compile; styles may be inline (vega-embed and CodeMirror add them);
    // images may come from anywhere over https (markdown images by URL). Hashes rather than nonces for inline
    // scripts: a dashboard page is kept and sent again to many readers (server/publish/page-cache.ts), and a
    // nonce everyone has seen would let any injected script run; a hash admits only the script it was made of.
    csp: {
      mode: 'hash',
      directives: {
        'default-src': ['self'],
        'script-src': ['self', 'wasm-unsafe-eval'],
        'worker-src': ['self', 'blob:'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:', 'https:'],
        'font-src': ['self', 'data:'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['self']
      }
    },
    alias: {
      $server: 'server',
      $cells: 'cells'
    }
  }
};

export default config;
