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

/** What engine-prestart.js leaves for the loader: the worker it started, and the .wasm that worker compiles. */
export type StartedEngine = { worker: Worker; wasm: string };

declare global {
  interface Window {
    __sheafEngine?: StartedEngine;
  }
}
