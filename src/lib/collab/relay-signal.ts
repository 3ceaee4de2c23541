// The server's "other servers" message on the notebook's WebSocket (server/collab/messages.ts): 1 while the server
// has lost the others (Redis), so edits made through them are held up though this connection is fine; 0 when they
// flow again. A server says so when it happens and to each person who joins meanwhile.
import * as decoding from 'lib0/decoding';
import type { WebsocketProvider } from 'y-websocket';

export const MSG_RELAY_STATUS = 101;

/** Calls `fn(true)` while others' edits are held up, `fn(false)` when they flow again or the connection drops (a
 * new connection, perhaps to another server, says again). Returns the function that stops it. */
export function onRelayStatus(provider: WebsocketProvider, fn: (down: boolean) => void): () => void {
  provider.messageHandlers[MSG_RELAY_STATUS] = (_encoder, decoder) => fn(decoding.readVarUint(decoder) === 1);
  const onStatus = ({ status }: { status: string }) => {
    if (status !== 'connected') fn(false);
  };
  provider.on('status', onStatus);
  return () => {
    provider.off('status', onStatus);
    delete provider.messageHandlers[MSG_RELAY_STATUS];
  };
}
