// The SQL cell in the browser: the query, where it runs (in the toolbar), its run and its result.
import type { CellKindUi } from '../../ui-types';
import EnginePicker from './EnginePicker.svelte';
import SqlBody from './SqlBody.svelte';

export const ui: CellKindUi = {
  kind: 'sql',
  body: SqlBody,
  toolbar: EnginePicker,
  placeholder: 'select … from …   (Shift+Enter to run)'
};
