// The text cell in the browser: rendered markdown that turns into its editor.
import type { CellKindUi } from '../../ui-types';
import TextBody from './TextBody.svelte';

export const ui: CellKindUi = {
  kind: 'text',
  body: TextBody,
  placeholder: 'Write markdown: # heading, **bold**, - lists…'
};
