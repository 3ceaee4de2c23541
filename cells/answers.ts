// Precomputed answers (cells/interactive.ts, Precomputed), the parts the server that writes them
// (server/publish/precompute.ts) and the viewer's browser that looks them up (src/lib/dashboard/) must agree on:
// which inputs can have every value computed ahead (a dropdown's choices, a checkbox's two states), and the key of
// a choice, both from the values as bound (cells/input/value.ts).
import type { PublishedInput } from './interactive';
import type { WidgetValue } from './input/value';
import type { InputValue } from './sql/parameters';

/** Every value a viewer can give the input, when there are few enough to list; else null. */
export function answerChoices(input: Pick<PublishedInput, 'config' | 'choices'>): WidgetValue[] | null {
  switch (input.config.widget) {
    case 'dropdown':
      return input.choices.length ? [...new Set(input.choices)] : null;
    case 'checkbox':
      return [true, false];
    default:
      return null;
  }
}

/** How many choices the inputs make together (every combination); Infinity when one's values cannot be listed. */
export function choiceCount(inputs: readonly Pick<PublishedInput, 'config' | 'choices'>[]): number {
  return inputs.reduce((n, i) => n * (answerChoices(i)?.length ?? Infinity), 1);
}

/** `inputs`: lower-cased input names, in the order the answer lists them; `bound`: by lower-cased name. */
export function answerKey(inputs: readonly string[], bound: ReadonlyMap<string, InputValue>): string {
  return JSON.stringify(inputs.map((name) => bound.get(name) ?? null));
}
