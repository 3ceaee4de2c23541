// Starts the notebook's DuckDB-WASM worker; the engine's loader (duckdb-loader.ts) adds this script to the page and
// takes the worker from window.__sheafEngine. The worker compiles the .wasm from its first instant, while it loads
// DuckDB's worker script and while the page imports DuckDB's JS, instead of after all that, and instantiates it as
// soon as it is compiled. A plain script served as it is (no bundling), so that a page's <head> could carry it to
// start the engine before the page's code loads: measured on this 2-CPU machine (inline, admitted by a CSP hash),
// that started the engine ~0.45 s earlier but slowed the page's own loading as much (the stored result painted
// ~0.2 s later, past its warm target), so no page does. The CSP allows it ('self'; the worker: blob:).
(() => {
  const script = document.currentScript;
  if (!script || window.__sheafEngine) return;
  const { ehWorker, ehWasm, mvpWorker, mvpWasm } = script.dataset;
  // DuckDB-WASM's own choice (its selectBundle, same test): the EH build where WebAssembly exceptions validate.
  const eh = WebAssembly.validate(
    new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 8, 1, 6, 0, 6, 64, 25, 11, 11
    ])
  );
  /** @param {string | undefined} url */
  const absolute = (url) => new URL(url ?? '', location.href).href;
  const wasm = absolute(eh ? ehWasm : mvpWasm);
  const duckdbWorker = absolute(eh ? ehWorker : mvpWorker);
  // The worker compiles the .wasm first, then loads DuckDB's worker script (775 KB) meanwhile: compilation runs
  // on the browser's background threads. DuckDB's worker later fetches the same .wasm and hands the response to
  // WebAssembly.instantiateStreaming: that one fetch is answered with a placeholder and the instantiation uses the
  // module compiled here, so the file is downloaded and compiled once.
  // compileStreaming(fetch(url)) compiles the real response, whose compiled code the browser can keep beside the
  // immutable .wasm (a Response built around the download, as DuckDB's worker does to report progress when it
  // has TransformStream, could not be cached; hiding TransformStream makes it fetch plainly, which we answer).
  const source = `"use strict";
performance.mark('sheaf:worker:started');
const wasm = ${JSON.stringify(wasm)};
performance.mark('sheaf:worker:compile');
const compiled = WebAssembly.compileStreaming(fetch(wasm, { credentials: 'same-origin' }));
compiled.then(() => performance.mark('sheaf:worker:compiled'), () => undefined);
const placeholder = new Response(null);
let handedOver = false;
const realFetch = self.fetch;
self.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input.url;
  if (handedOver || url !== wasm) return realFetch(input, init);
  handedOver = true;
  return Promise.resolve(placeholder);
};
const instantiateStreaming = WebAssembly.instantiateStreaming;
WebAssembly.instantiateStreaming = async (source, imports) => {
  const response = await source;
  if (response !== placeholder) return instantiateStreaming(response, imports);
  const module = await compiled;
  const instance = await WebAssembly.instantiate(module, imports);
  // What follows, until DuckDB answers, is its runtime's start-up (static initialisers, functions compiled lazily).
  performance.mark('sheaf:worker:instance');
  return { module, instance };
};
const warn = console.warn.bind(console);
console.warn = (...args) => {
  if (!String(args[0]).startsWith('instantiating without progress handler')) warn(...args);
};
self.TransformStream = undefined;
importScripts(${JSON.stringify(duckdbWorker)});
performance.mark('sheaf:worker:script');
// DuckDB's worker now waits for the page to say INSTANTIATE, which it does only once its own code has loaded and the
// notebook asks. Instantiating (and running DuckDB's static initialisers) takes as long as compiling, so it starts
// here, the moment the module is compiled, and the page's INSTANTIATE is answered when that is done. Should the early
// one fail, the page's goes through as sent and DuckDB tries again (with a fetch of its own). (Only where DuckDB's
// worker listens as its 1.x versions do, with self.onmessage.)
const EARLY = -1;
const dispatch = self.onmessage;
if (typeof dispatch === 'function') {
  const post = self.postMessage.bind(self);
  let early;
  const done = new Promise((resolve) => (early = resolve));
  self.postMessage = (message, transfer) => {
    if (message && message.requestId === EARLY && message.type !== 'INSTANTIATE_PROGRESS') {
      if (message.type === 'OK') performance.mark('sheaf:worker:instantiated');
      early(message.type === 'OK');
      return;
    }
    post(message, transfer);
  };
  performance.mark('sheaf:worker:instantiate');
  dispatch({ data: { messageId: EARLY, type: 'INSTANTIATE', data: [wasm, null] } });
  self.onmessage = async (event) => {
    const ok = await done;
    const message = event.data;
    if (ok && message && message.type === 'INSTANTIATE')
      post({ messageId: EARLY, requestId: message.messageId, type: 'OK', data: null }, []);
    else await dispatch(event);
  };
}
`;
  performance.mark('sheaf:engine:prestart');
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
  window.__sheafEngine = { worker, wasm };
})();
