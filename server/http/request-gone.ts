// When the person who asked has gone: work done on their behalf (connecting to their database, asking the
// model) stops with them rather than running on for nobody.
import type { IncomingMessage } from 'node:http';

/**
 * A signal that aborts when the client of this request goes away. SvelteKit's `request.signal` does not once the
 * body has been read (it aborts only on a request that is still arriving), so under adapter-node the socket is
 * watched too. Call `done` when the work ends: the socket may serve more requests (keep-alive).
 */
export function requestGone(request: Request, platform: unknown): { signal: AbortSignal; done(): void } {
  const req = (platform as { req?: IncomingMessage } | undefined)?.req;
  const socket = req?.socket;
  if (!socket || typeof socket.once !== 'function') return { signal: request.signal, done() {} };
  const closed = new AbortController();
  const onClose = () => closed.abort();
  if (socket.destroyed) closed.abort();
  else socket.once('close', onClose);
  return {
    signal: AbortSignal.any([request.signal, closed.signal]),
    done: () => socket.off('close', onClose)
  };
}
