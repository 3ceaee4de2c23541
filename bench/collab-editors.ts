// A share of bench:collab's simulated editors, in a process of its own so that decoding every editor's updates
// does not make the load generator the bottleneck (in one process its event loop p99 was 18–29 ms).
// Told by its parent (IPC) where to connect; types when told to; answers with when each of its edits was typed
// and when each edit of anyone reached each of its editors, in epoch milliseconds, so the parent can join them.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { orderedCells } from '../cells/document';
import { editKey } from './edit-key';
import { watchGc, type GcPauses } from './gc-pauses';

/** One simulated editor: who, on which server (index and port), in which notebook (index and id), into which cell. */
export type Editor = {
  token: string;
  server: number;
  port: number;
  notebook: number;
  notebookId: string;
  cell: number;
};
/** `seconds` of typing after `warmup` seconds of it; the event-loop and GC figures cover the `seconds` only. */
export type EditorsSetup = { editors: Editor[]; rate: number; seconds: number; warmup: number };
/**
 * Flat tuples: `sent` is (edit, typed at, server typed on, notebook), `received` is (edit, arrived at, server
 * arrived on). Times in epoch milliseconds.
 */
export type EditorsResult = {
  sent: Float64Array;
  received: Float64Array;
  loopP99: number;
  loopMax: number;
  gc: GcPauses;
};

process.setMaxListeners(0); // y-websocket adds an exit listener per provider in Node.

const now = () => performance.timeOrigin + performance.now();

function send(message: unknown) {
  process.send!(message);
}

process.once('message', (setup: EditorsSetup) => {
  const sent: number[] = [];
  const received: number[] = [];
  const editors = setup.editors.map(({ token, server, port, notebook, notebookId, cell }) => {
    const doc = new Y.Doc();
    const WithCookie = class extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols, { headers: { cookie: `sheaf_session=${token}` } });
      }
    };
    const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/collab`, notebookId, doc, {
      WebSocketPolyfill: WithCookie as unknown as typeof globalThis.WebSocket,
      disableBc: true
    });
    // Every character that arrived, from the clocks the transaction moved on (each typed character is one clock):
    // no second decoding of the update, so the load generator spends less of the machine, and characters the server
    // merged into one struct are each counted.
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      if (tr.origin !== provider) return;
      const t = now();
      for (const [client, after] of tr.afterState) {
        for (let clock = tr.beforeState.get(client) ?? 0; clock < after; clock++)
          received.push(editKey(client, clock), t, server);
      }
    });
    return { doc, provider, server, notebook, cell };
  });
  void Promise.all(
    editors.map(
      (e) => new Promise<void>((r) => (e.provider.synced ? r() : e.provider.once('sync', () => r())))
    )
  ).then(() => send({ synced: true }));

  process.once('message', () => {
    const loop = monitorEventLoopDelay({ resolution: 5 });
    let gc: ReturnType<typeof watchGc> | undefined;
    setTimeout(() => {
      loop.enable();
      gc = watchGc();
    }, setup.warmup * 1000);
    const timers = editors.map((e) => {
      const cells = orderedCells(e.doc);
      const text = cells[e.cell % cells.length]!.source;
      let timer: NodeJS.Timeout | undefined;
      const start = setTimeout(
        () => {
          timer = setInterval(() => {
            sent.push(
              editKey(e.doc.clientID, Y.getState(e.doc.store, e.doc.clientID)),
              now(),
              e.server,
              e.notebook
            );
            text.insert(text.length, 'x');
          }, 1000 / setup.rate);
        },
        Math.random() * (1000 / setup.rate)
      );
      return () => {
        clearTimeout(start);
        clearInterval(timer);
      };
    });
    setTimeout(
      () => {
        timers.forEach((stop) => stop());
        // Let the last edits arrive before answering.
        setTimeout(() => {
          loop.disable();
          const result: EditorsResult = {
            sent: Float64Array.from(sent),
            received: Float64Array.from(received),
            loopP99: loop.percentile(99) / 1e6,
            loopMax: loop.max / 1e6,
            gc: gc!.read()
          };
          send(result);
          for (const e of editors) e.provider.destroy();
          setTimeout(() => process.exit(0), 200);
        }, 1000);
      },
      (setup.warmup + setup.seconds) * 1000
    );
  });
});
