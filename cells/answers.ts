// Which precomputed answer (cells/interactive.ts, Precomputed) holds a cell's result for the values a viewer chose:
// the same key on the server that writes the answers (server/publish/precompute.ts) and in the viewer's browser
// that looks them up (src/lib/dashboard/recompute.ts), both from the values as bound (cells/input/value.ts).
import type { InputValue } from './sql/parameters';

/** `inputs`: lower-cased input names, in the order the answer lists them; `bound`: by lower-cased name. */
export function answerKey(inputs: readonly string[], bound: ReadonlyMap<string, InputValue>): string {
  return JSON.stringify(inputs.map((name) => bound.get(name) ?? null));
}
