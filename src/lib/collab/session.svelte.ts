// A notebook's live editing session — not a database connection (those are WorkspaceConnections): the shared
// document, kept in IndexedDB across reloads and offline spells and synced with the server over a WebSocket, with
// a status people can read.
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { parts } from '$cells/document';
import { announce } from './presence';
import { onRelayStatus } from './relay-signal';

export type SessionStatus =
  'connecting' | 'connected' | 'held-up' | 'reconnecting' | 'offline' | 'signed-out' | 'no-access';

export const STATUS_TEXT: Record<SessionStatus, string> = {
  connecting: 'connecting…',
  connected: 'connected',
  'held-up': 'connected — reconnecting to other servers; their edits will follow',
  reconnecting: 'reconnecting…',
  offline: 'offline — changes saved locally',
  'signed-out': 'your session has ended — log in again to keep editing',
  'no-access': 'you no longer have access to this notebook'
};

/** Origin of our own structural edits (add, move, delete cells), so undo tracks only them. */
export const LOCAL = Symbol('local edit');
/** Origin of the document as the page's HTML carried it. */
export const FROM_PAGE = Symbol('document in the page');

/** Applies the page's copy of the document; a copy that does not decode is ignored (the socket brings it all). */
function applyPageState(doc: Y.Doc, base64: string) {
  try {
    Y.applyUpdate(
      doc,
      Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)),
      FROM_PAGE
    );
  } catch {
    // A copy that does not decode: the socket brings the whole document anyway.
  }
}

export class NotebookSession {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  readonly local: IndexeddbPersistence;
  readonly undo: Y.UndoManager;
  status = $state<SessionStatus>('connecting');
  /** True once the server's state has arrived at least once. */
  synced = $state(false);
  private everConnected = false;
  private stopped = false;

  constructor(
    readonly notebookId: string,
    user: { id: string; name: string },
    /** The document as the server sent it in the page (a Yjs update, base64): the cells show before the socket
     * syncs, which then brings only what changed since. */
    initialState?: string | null
  ) {
    if (initialState) applyPageState(this.doc, initialState);
    this.local = new IndexeddbPersistence(`sheaf:${notebookId}`, this.doc);
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.provider = new WebsocketProvider(`${proto}//${location.host}/collab`, notebookId, this.doc, {
      disableBc: true,
      maxBackoffTime: 5000
    });
    announce(this.provider.awareness, user);
    const p = parts(this.doc);
    // A plain Set is what Yjs expects here; it is not UI state.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.undo = new Y.UndoManager([p.order, p.cells, p.meta], { trackedOrigins: new Set([LOCAL]) });

    this.provider.on('status', ({ status }) => {
      if (this.stopped) return;
      if (status === 'connected') this.everConnected = true;
      this.status = status === 'connected' ? 'connected' : this.disconnectedStatus();
    });
    // Connected, but the server has lost the other servers: what people there type arrives once it is back.
    onRelayStatus(this.provider, (down) => {
      if (this.stopped) return;
      if (down && this.status === 'connected') this.status = 'held-up';
      else if (!down && this.status === 'held-up') this.status = 'connected';
    });
    this.provider.on('sync', (s: boolean) => {
      if (s) this.synced = true;
    });
    this.provider.on('connection-close', (event) => {
      // A refused upgrade looks like any dropped connection from here; ask the server what is wrong.
      if (!this.stopped && event && event.code !== 1000) void this.checkAccess();
    });
    this.provider.on('closed', ({ code }) => {
      this.stop(code === 4401 ? 'signed-out' : 'no-access');
    });
    addEventListener('online', this.onNetwork);
    addEventListener('offline', this.onNetwork);
  }

  private disconnectedStatus(): SessionStatus {
    if (!navigator.onLine) return 'offline';
    return this.everConnected ? 'reconnecting' : 'connecting';
  }

  /** The browser knows about lost networks before a socket times out: act on it at once. Edits made offline
   * stay in IndexedDB and in the document, and are sent when the connection returns. */
  private onNetwork = () => {
    if (this.stopped) return;
    if (navigator.onLine) {
      this.provider.connect();
    } else {
      this.provider.disconnect();
      this.status = 'offline';
    }
  };

  private async checkAccess() {
    try {
      const res = await fetch(`/api/notebooks/${this.notebookId}/access`, { cache: 'no-store' });
      if (res.status === 401) this.stop('signed-out');
      else if (res.status === 403 || res.status === 404) this.stop('no-access');
    } catch {
      // The server is unreachable: the provider keeps retrying, which is what we want.
    }
  }

  private stop(status: SessionStatus) {
    this.stopped = true;
    this.provider.disconnect();
    this.status = status;
  }

  destroy() {
    this.stopped = true;
    removeEventListener('online', this.onNetwork);
    removeEventListener('offline', this.onNetwork);
    this.undo.destroy();
    this.provider.destroy();
    void this.local.destroy();
    this.doc.destroy();
  }
}
