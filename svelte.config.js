import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // The wasm bundles of later issues make precompression take a minute per build.
    adapter: adapter({ precompress: false }),
    alias: {
      $server: 'server',
      $cells: 'cells'
    }
  }
};

export default config;
