// Publishing and refreshing a dashboard each build a snapshot folder and then point the publication at it; side by
// side, one would overwrite the other's or delete its folder. So, per notebook, they take turns — within this
// process in a queue, and across app servers under the database's lock for the notebook (Db.exclusively) — and a
// refresh asked for while one runs joins it instead of queueing the same work again (joinRefresh).

import type { Db } from '../db/types';
import { keyedQueue } from '../db/keyed-queue';
import type { NotebookId } from '../ids';

const queue = keyedQueue();

/**
 * Runs `work` after everything queued before it for this notebook, here or on another server, whether that
 * succeeded or not. The local queue first: a process holds (or waits on) one database lock per notebook at most.
 */
export function inTurn<T>(db: Db, notebookId: NotebookId, work: () => Promise<T>): Promise<T> {
  return queue(notebookId, () => db.exclusively(turnLock(notebookId), work));
}

/** The name of the database lock a notebook's publishing and refreshing take turns on. */
export const turnLock = (notebookId: NotebookId) => `publish:${notebookId}`;

/** A function that starts work for a key, or hands back the one already running for it (in this process). */
export function oneAtATime<T>(): (key: string, start: () => Promise<T>) => Promise<T> {
  const running = new Map<string, Promise<T>>();
  return (key, start) => {
    const current = running.get(key);
    if (current) return current;
    const work = start();
    running.set(key, work);
    void work.finally(() => running.delete(key)).catch(() => undefined);
    return work;
  };
}
