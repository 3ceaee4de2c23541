// What a dashboard viewer may read about a card that could not be recomputed. Viewers are not the notebook's
// authors: raw engine or SQL messages (table names, the author's SQL, WebAssembly traps) are never shown to them,
// only these, written for them (src/lib/engine/engine-failure.ts says what the engine's own failures mean).
import { engineFailure } from '$lib/engine/engine-failure';

/** A failure whose message is written for viewers. */
export class ViewerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ViewerError';
  }
}

/** The viewer's words for `e`, whatever threw it; the raw message goes to the console for whoever debugs. */
export function viewerMessage(e: unknown): string {
  if (e instanceof ViewerError) return e.message;
  const raw = e instanceof Error ? e.message : String(e);
  console.warn('A dashboard card could not be recomputed:', raw);
  return rawToViewer(raw);
}

/** A raw engine message as a viewer reads it. */
export function rawToViewer(raw: string): string {
  const failure = engineFailure(raw);
  if (failure && /memory/i.test(failure.message))
    return 'Your browser ran out of memory recomputing this card. Try narrower filters, or reload the page.';
  if (failure) return 'Your browser could not recompute this card. Reload the page to try again.';
  return 'This card could not be recomputed for these filter values.';
}
