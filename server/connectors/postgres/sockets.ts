// postgres.js opens its sockets through here (its `socket` option), so that the number of attempts is ours to
// bound. When a server accepts a connection and closes it before the session is ready, postgres.js connects again
// at once, without end (connection.js: `closed()` calls `reconnect()` while the first query is waiting), several
// hundred times a second, and that query never settles — cancelling it does not stop the loop either. Past the
// budget, the next socket fails with a GaveUp error: postgres.js rejects the waiting query with it and stops.
import net from 'node:net';
import { GaveUp } from '../deadline';

export class SocketBudget {
  private readonly opened: number[] = [];
  private readonly live = new Set<net.Socket>();
  private closed = false;

  /**
   * At most `most` sockets within `withinMs` (null: over the budget's whole life). With `signal`, no socket once
   * it aborts, and those still open are destroyed then.
   */
  constructor(
    private readonly most: number,
    private readonly withinMs: number | null,
    private readonly signal?: AbortSignal
  ) {
    signal?.addEventListener('abort', () => this.closeAll(), { once: true });
  }

  /** The factory for postgres.js's `socket` option: the TCP socket is still connecting when it is handed over. */
  socketTo(host: string, port: number): () => net.Socket {
    return () => {
      const refusal = this.refusal();
      // Failures reach postgres.js through the socket, never thrown from here: a throw leaves its pooled
      // connection stuck in "connecting", and every later query on that pool would wait for ever.
      const socket = refusal ? new net.Socket() : net.connect({ host, port });
      // postgres.js reads these for the TLS server name and its error messages.
      Object.assign(socket, { host, port });
      if (refusal) {
        // Once postgres.js has put its listeners on: it rejects the waiting query with this error.
        setImmediate(() => socket.destroy(refusal));
        return socket;
      }
      this.opened.push(performance.now());
      if (this.signal) {
        this.live.add(socket);
        socket.once('close', () => this.live.delete(socket));
      }
      return socket;
    };
  }

  private refusal(): Error | null {
    if (this.signal?.aborted) return this.signal.reason as Error;
    if (this.closed) return new GaveUp('SHEAF_CANCELLED');
    if (this.withinMs !== null) {
      const since = performance.now() - this.withinMs;
      while (this.opened.length && this.opened[0]! < since) this.opened.shift();
    }
    return this.opened.length >= this.most ? new GaveUp('SHEAF_CLOSED_AT_ONCE') : null;
  }

  /**
   * Destroys every socket still open, and opens none after. Without an error: postgres.js may have taken its
   * listeners off a socket it upgraded to TLS, and an 'error' nobody listens to would crash the process. It then
   * sees a close, asks for a socket again, and gets the refusal.
   */
  closeAll(): void {
    this.closed = true;
    for (const s of this.live) s.destroy();
    this.live.clear();
  }
}
