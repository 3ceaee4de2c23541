// Tells open notebook connections that someone's access changed (role, membership, session), so it applies at
// once instead of at the next periodic check. Process-wide: the SvelteKit bundle (which changes roles) and
// server/index.ts (which holds the WebSockets) each load their own copy of this module.
import { EventEmitter } from 'node:events';
import type { UserId } from '../ids';

const KEY = Symbol.for('sheaf.accessChanges');

function bus(): EventEmitter {
  const g = globalThis as typeof globalThis & { [KEY]?: EventEmitter };
  g[KEY] ??= new EventEmitter().setMaxListeners(0);
  return g[KEY];
}

export function accessChanged(userId: UserId): void {
  bus().emit('user', userId);
}

/** Calls `fn` whenever `userId`'s access may have changed; returns the unsubscribe. */
export function onAccessChange(userId: UserId, fn: () => void): () => void {
  const listener = (id: string) => {
    if (id === userId) fn();
  };
  bus().on('user', listener);
  return () => bus().off('user', listener);
}
