// Taking turns per key within this process: work queued for a key runs after everything queued before it for the
// same key, whether that succeeded or not. Keys with nothing queued hold no memory.

export type KeyedQueue = <T>(key: string, work: () => Promise<T>) => Promise<T>;

export function keyedQueue(): KeyedQueue {
  const queues = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const previous = queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    const tail = next.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
    return next;
  };
}
