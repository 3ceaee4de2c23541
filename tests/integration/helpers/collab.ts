// A real collaboration server on a loopback port, and real y-websocket clients that connect to it with cookies.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createCollabUpgradeHandler } from '../../../server/collab/upgrade';
import type { Db } from '../../../server/db/types';

export type CollabServer = { port: number; http: Server; close: () => Promise<void> };

export async function startCollabServer(db: Db, port = 0): Promise<CollabServer> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const onUpgrade = createCollabUpgradeHandler(async () => db);
  http.on('upgrade', (req, socket, head) => {
    if (!onUpgrade(req, socket, head)) socket.destroy();
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    http,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      })
  };
}

/** ws with our session cookie, shaped as y-websocket's WebSocketPolyfill. */
function cookieSocket(token: string) {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie: `sheaf_session=${token}` } });
    }
  };
}

export type Client = { doc: Y.Doc; provider: WebsocketProvider; received: Uint8Array[]; destroy: () => void };

const open = new Set<Client>();

/** Destroys every client a test left connected (also after a failed assertion). */
export function destroyClients(): void {
  for (const c of open) c.destroy();
}

export function connect(port: number, notebookId: string, token: string): Client {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`ws://127.0.0.1:${port}/collab`, notebookId, doc, {
    // y-websocket's polyfill type is the DOM WebSocket; ws's class is compatible at run time.
    WebSocketPolyfill: cookieSocket(token) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 200
  });
  const received: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin === provider) received.push(update);
  });
  const client: Client = {
    doc,
    provider,
    received,
    destroy: () => {
      if (!open.delete(client)) return;
      provider.destroy();
      doc.destroy();
    }
  };
  open.add(client);
  return client;
}

export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const synced = (c: Client) => until(() => c.provider.synced, 'the client to sync');

/** The HTTP status a WebSocket upgrade is answered with (101 when accepted). */
export function upgradeStatus(
  port: number,
  path: string,
  headers: Record<string, string> = {}
): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (e) => reject(e));
  });
}

/** A raw authenticated socket for sending arbitrary frames. */
export function rawSocket(port: number, notebookId: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/collab/${notebookId}`, {
      headers: { cookie: `sheaf_session=${token}` }
    });
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}
