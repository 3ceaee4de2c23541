// Inputs as a published dashboard lists them (cells/interactive.ts), for tests that build a dashboard's section by
// hand.
import { PublishedInputSchema } from '../../../cells/interactive';

/** A dropdown on the grid offering `choices`, published at the first. */
export const dropdownInput = (name: string, choices: string[]) =>
  PublishedInputSchema.parse({
    cellId: `c-${name}`,
    name,
    config: { widget: 'dropdown', options: { from: 'list', values: choices } },
    choices,
    initial: choices[0]
  });
