// The prompt cell in the browser: a request to the assistant, which writes cells below it.
import type { CellKindUi } from '../../ui-types';
import PromptBody from './PromptBody.svelte';

export const ui: CellKindUi = {
  kind: 'prompt',
  body: PromptBody,
  placeholder:
    'Ask for an analysis: “monthly revenue by region since 2023, as a line chart”   (Shift+Enter to ask)'
};
