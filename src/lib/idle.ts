// Work that can wait until the page has nothing better to do.

/**
 * Calls `fn` when the browser is idle (after the current rendering and input), or after `timeoutMs` at the latest.
 * Returns a function that cancels the call if it has not happened.
 */
export function whenIdle(fn: () => void, timeoutMs = 2000): () => void {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(() => fn(), { timeout: timeoutMs });
    return () => cancelIdleCallback(id);
  }
  // Safari has no requestIdleCallback: a moment after the current work.
  const id = setTimeout(fn, 200);
  return () => clearTimeout(id);
}
