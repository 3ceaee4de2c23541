// Work that must not delay what the page is about to show.

/**
 * Calls `fn` once the browser has painted the next frame (what the page has rendered so far is on screen), as a
 * task of its own. Returns a function that cancels the call if it has not happened.
 */
export function afterNextPaint(fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const frame = requestAnimationFrame(() => (timer = setTimeout(fn, 0)));
  return () => {
    cancelAnimationFrame(frame);
    clearTimeout(timer);
  };
}
