// The list of cell kinds. Nothing else switches on kind names: add a folder and a line here.
import { chartKind } from './chart/kind';
import { promptKind } from './prompt/kind';
import { sqlKind } from './sql/kind';
import { textKind } from './text/kind';
import type { CellKind } from './types';

export const CELL_KINDS = [sqlKind, chartKind, textKind, promptKind] as const satisfies readonly CellKind[];

export type CellKindName = (typeof CELL_KINDS)[number]['kind'];

const BY_NAME = new Map<string, CellKind>(CELL_KINDS.map((k) => [k.kind, k as unknown as CellKind]));

export function cellKind(kind: string): CellKind | undefined {
  return BY_NAME.get(kind);
}

export const isCellKind = (kind: unknown): kind is CellKindName =>
  typeof kind === 'string' && BY_NAME.has(kind);
