// DuckDB-WASM's files, served by Sheaf from its own build (immutable, hashed URLs), and the script that starts
// the engine's worker with them (engine-prestart.js), which the loader adds to the page.
import prestart from './engine-prestart.js?url&no-inline';
import prestartSource from './engine-prestart.js?raw';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';

/** The prestart script's URL and the data-* attributes it reads (camelCase, as in `dataset`). */
export const ENGINE_SCRIPT = {
  src: prestart,
  data: { ehWasm, ehWorker, mvpWasm, mvpWorker }
};

const attribute = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * The prestart script inline, as a tag for a page's <head>, so the engine's worker starts while the page's own code
 * is still loading, with no request of its own to wait for (the CSP admits exactly this text by its hash:
 * svelte.config.js). For the server's render: put in with {@html}, which the browser never runs when a page is built
 * in the browser (a navigation within the app), where the loader adds the script itself. It has run before any of
 * the page's code does (SvelteKit starts that from the body), so the loader always finds its worker.
 */
export function engineScriptTag(): string {
  if (/<\/script/i.test(prestartSource)) throw new Error('engine-prestart.js must not contain "</script"');
  const data = Object.entries(ENGINE_SCRIPT.data)
    .map(([k, v]) => ` data-${kebab(k)}="${attribute(v)}"`)
    .join('');
  return `<script${data}>${prestartSource}</script>`;
}

/** What engine-prestart.js leaves for the loader: the worker it started, and the .wasm that worker compiles. */
export type StartedEngine = { worker: Worker; wasm: string };

declare global {
  interface Window {
    __sheafEngine?: StartedEngine;
  }
}
