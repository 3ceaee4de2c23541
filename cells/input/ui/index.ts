// The input cell in the browser: its settings (editors) and its live control, whose value SQL binds as {{name}}.
import type { CellKindUi } from '../../ui-types';
import InputBody from './InputBody.svelte';

export const ui: CellKindUi = {
  kind: 'input',
  body: InputBody,
  placeholder: ''
};
