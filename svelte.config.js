import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // The wasm bundles of later issues make precompression take a minute per build.
    adapter: adapter({ precompress: false }),
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
    // images may come from anywhere over https (markdown images by URL).
    csp: {
      mode: 'auto',
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
