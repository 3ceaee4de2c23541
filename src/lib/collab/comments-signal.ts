// The server's "comments changed" message on the notebook's WebSocket (server/collab/messages.ts). It carries
// nothing: whoever receives it fetches the comments again over HTTP with their own access. y-websocket looks up a
// handler per message type, so ours is one more entry in the provider's table.
import type { WebsocketProvider } from 'y-websocket';

export const MSG_COMMENTS_CHANGED = 100;

/** Calls `fn` when the server says the comments changed, and after each (re)connection, since signals sent
 * while disconnected were missed. Returns the function that stops it. */
export function onCommentsChanged(provider: WebsocketProvider, fn: () => void): () => void {
  provider.messageHandlers[MSG_COMMENTS_CHANGED] = () => fn();
  const onSync = (synced: boolean) => {
    if (synced) fn();
  };
  provider.on('sync', onSync);
  return () => {
    provider.off('sync', onSync);
    delete provider.messageHandlers[MSG_COMMENTS_CHANGED];
  };
}
