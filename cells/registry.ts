// The list of cell kinds. Nothing else switches on kind names: add a folder and a line here. Each kind's browser
// part (its body component, toolbar items, placeholder) is found by cells/ui-registry.ts, which only the browser
// loads; server code and child processes import this file only.
import { chartKind } from './chart/kind';
import { inputKind } from './input/kind';
import { promptKind } from './prompt/kind';
import { sqlKind } from './sql/kind';
import { textKind } from './text/kind';
import type { CellKind } from './types';

export const CELL_KINDS = [
  sqlKind,
  chartKind,
  textKind,
  promptKind,
  inputKind
] as const satisfies readonly CellKind[];

/** A built-in kind's name. */
export type CellKindName = (typeof CELL_KINDS)[number]['kind'];

declare const registered: unique symbol;
/** The name of a kind added with registerCellKind (a test's throwaway kind): a string only registering makes. */
export type RegisteredKindName = string & { readonly [registered]: true };
/** A kind cells can be made of: a built-in one, by its literal name, or a registered one. */
export type KindName = CellKindName | RegisteredKindName;

const BY_NAME = new Map<string, CellKind>(CELL_KINDS.map((k) => [k.kind, k as unknown as CellKind]));

export function cellKind(kind: string): CellKind | undefined {
  return BY_NAME.get(kind);
}

/** Every kind: the built-in ones in their order, then registered ones. */
export const cellKinds = (): CellKind[] => [...BY_NAME.values()];

export const isCellKind = (kind: unknown): kind is KindName => typeof kind === 'string' && BY_NAME.has(kind);

/**
 * Adds a kind beside the built-in ones, for code that defines a kind outside cells/ (tests prove a kind needs
 * nothing else by registering a throwaway one). Returns its name, which insertCell and setCellKind accept.
 */
export function registerCellKind<Config extends Record<string, unknown>>(
  kind: CellKind<Config>
): RegisteredKindName {
  if (BY_NAME.has(kind.kind)) throw new Error(`The cell kind "${kind.kind}" is registered already.`);
  BY_NAME.set(kind.kind, kind as unknown as CellKind);
  return kind.kind as RegisteredKindName;
}
