// Tells open notebook connections that someone's access changed (role, membership, session), so it applies at
// once instead of at the next periodic check. Process-wide: the SvelteKit bundle (which changes roles) and
// server/index.ts (which holds the WebSockets) each load their own copy of this module. With several servers the
// relay (collab/relay-setup.ts) carries local changes to the others, whose connections then re-read the role from
// the database: the message says only whom to check, never what they may do.
import { EventEmitter } from 'node:events';
import type { UserId } from '../ids';

const KEY = Symbol.for('sheaf.accessChanges');

function bus(): EventEmitter {
  const g = globalThis as typeof globalThis & { [KEY]?: EventEmitter };
  g[KEY] ??= new EventEmitter().setMaxListeners(0);
  return g[KEY];
}

/** Someone's access changed here: this process's connections check it again, and (with a relay) other servers'. */
export function accessChanged(userId: UserId): void {
  bus().emit('user', userId);
  bus().emit('local', userId);
}

/** Another server says `userId`'s access changed: only this process's connections are told (it is not relayed on). */
export function accessChangedElsewhere(userId: UserId): void {
  bus().emit('user', userId);
}

/** Calls `fn` for every access change made in this process (the relay passes them on); returns the unsubscribe. */
export function onLocalAccessChange(fn: (userId: UserId) => void): () => void {
  const listener = (id: UserId) => fn(id);
  bus().on('local', listener);
  return () => bus().off('local', listener);
}

/** Anyone's access may have changed without this process being told (the relay was cut off from the other servers
 * for a while): every connection checks again. */
export function everyoneMayHaveChanged(): void {
  bus().emit('user', EVERYONE);
}

const EVERYONE = '*';

/** Calls `fn` whenever `userId`'s access may have changed; returns the unsubscribe. */
export function onAccessChange(userId: UserId, fn: () => void): () => void {
  const listener = (id: string) => {
    if (id === userId || id === EVERYONE) fn();
  };
  bus().on('user', listener);
  return () => bus().off('user', listener);
}
