// Publishing and refreshing a dashboard each build a snapshot folder and then point the publication at it; side by
// side, one would overwrite the other's or delete its folder. So, per notebook, they take turns, and a refresh
// asked for while one runs joins it instead of queueing the same work again. These locks live in this process
// only: across servers, saveRefreshed's check that nobody re-published keeps the newer document.

import type { NotebookId } from '../ids';

const queues = new Map<NotebookId, Promise<unknown>>();

/** Runs `work` after everything queued before it for this notebook, whether that succeeded or not. */
export function inTurn<T>(notebookId: NotebookId, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(notebookId) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  const tail = next.catch(() => undefined);
  queues.set(notebookId, tail);
  void tail.then(() => {
    if (queues.get(notebookId) === tail) queues.delete(notebookId);
  });
  return next;
}

/** A function that starts work for a key, or hands back the one already running for it. */
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
