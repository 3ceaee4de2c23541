// Browser-only: each cell kind's UI (cells/<kind>/ui/index.ts), found by Vite when the app is built, so a new kind
// needs no line here. Never import this from server/ or from cells/ code the server uses: the UIs are Svelte
// components that reach into $lib. The kinds themselves are listed in cells/registry.ts.
import type { CellKindUi } from './ui-types';
import SourceOnlyBody from '$lib/components/notebook/SourceOnlyBody.svelte';

const found = import.meta.glob<{ ui: CellKindUi }>('./*/ui/index.ts', { eager: true });

const BY_KIND = new Map<string, CellKindUi>();
for (const [path, module] of Object.entries(found)) {
  const folder = path.split('/')[1];
  if (module.ui.kind !== folder)
    throw new Error(`${path} is the UI of "${module.ui.kind}": a kind's UI lives in cells/<kind>/ui/.`);
  BY_KIND.set(folder, module.ui);
}

/** For a cell whose kind this browser does not know (a newer client wrote it): its source, editable as text. */
const UNKNOWN: Omit<CellKindUi, 'kind'> = { body: SourceOnlyBody, placeholder: '' };

/** The UI of `kind`, or of a plain source editor when the kind has none. */
export const cellUi = (kind: string): CellKindUi => BY_KIND.get(kind) ?? { kind, ...UNKNOWN };

/** Whether `kind` has a UI of its own. */
export const hasCellUi = (kind: string): boolean => BY_KIND.has(kind);

/** Adds the UI of a kind defined outside cells/ (a test's throwaway kind), beside registerCellKind. */
export function registerCellUi(ui: CellKindUi): void {
  if (BY_KIND.has(ui.kind)) throw new Error(`The cell kind "${ui.kind}" has a UI already.`);
  BY_KIND.set(ui.kind, ui);
}
