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
    alias: {
      $server: 'server',
      $cells: 'cells'
    }
  }
};

export default config;
