// DuckDB-WASM's files, served by Sheaf from its own build (immutable, hashed URLs), and the script that starts
// the engine's worker with them (engine-prestart.js), which the loader adds to the page.
import prestart from './engine-prestart.js?url&no-inline';
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
 * The prestart script as a tag for a page's <head>, so the engine's worker starts while the page's own code is still
 * loading. For the server's render only: put in with {@html}, which the browser never runs when a page is built in
 * the browser (a navigation within the app), where the loader adds the script itself. Neither async nor deferred:
 * it has run before any of the page's code does (SvelteKit starts that from the body), so the loader always finds
 * its worker, never starts a second one beside a script still loading; it is small, and the browser fetches the
 * page's modules meanwhile.
 */
export function engineScriptTag(): string {
  const data = Object.entries(ENGINE_SCRIPT.data)
    .map(([k, v]) => ` data-${kebab(k)}="${attribute(v)}"`)
    .join('');
  return `<script src="${attribute(ENGINE_SCRIPT.src)}"${data}></script>`;
}

/** What engine-prestart.js leaves for the loader: the worker it started, and the .wasm that worker compiles. */
export type StartedEngine = { worker: Worker; wasm: string };

declare global {
  interface Window {
    __sheafEngine?: StartedEngine;
  }
}
