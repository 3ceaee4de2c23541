// A real collaboration server on a loopback port, and real y-websocket clients that connect to it with cookies.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
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

/** An awareness message as y-websocket frames it: [1][length][count, then clientID, clock, JSON per state]. */
export function awarenessFrame(entries: { clientId: number; clock: number; state: unknown }[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(update, e.clientId);
    encoding.writeVarUint(update, e.clock);
    encoding.writeVarString(update, JSON.stringify(e.state));
  }
  const msg = encoding.createEncoder();
  encoding.writeVarUint(msg, 1);
  encoding.writeVarUint8Array(msg, encoding.toUint8Array(update));
  return encoding.toUint8Array(msg);
}

/** The awareness entries of a frame the server sent, or null for other messages. */
export function readAwarenessFrame(
  frame: Uint8Array
): { clientId: number; clock: number; state: unknown }[] | null {
  const d = decoding.createDecoder(frame);
  if (decoding.readVarUint(d) !== 1) return null;
  const update = decoding.createDecoder(decoding.readVarUint8Array(d));
  const n = decoding.readVarUint(update);
  const out = [];
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(update);
    const clock = decoding.readVarUint(update);
    out.push({ clientId, clock, state: JSON.parse(decoding.readVarString(update)) as unknown });
  }
  return out;
}

/** Resolves once the server has handled every frame sent on `ws` so far: it answers a sync request in order. */
export function roundTrip(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('the connection closed before the server answered'));
    const onMessage = (data: Buffer) => {
      if (data[0] !== 0 || data[1] !== 1) return; // waiting for sync step 2
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolve();
    };
    ws.on('message', onMessage);
    ws.once('close', onClose);
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, 0);
    encoding.writeVarUint(step1, 0);
    encoding.writeVarUint8Array(step1, Y.encodeStateVector(new Y.Doc()));
    ws.send(encoding.toUint8Array(step1));
  });
}

/** The close code and reason of `ws`, once it closes (null until then). */
export function closeOf(ws: WebSocket): { value: { code: number; reason: string } | null } {
  const out: { value: { code: number; reason: string } | null } = { value: null };
  ws.on('close', (code, reason) => (out.value = { code, reason: reason.toString() }));
  return out;
}
