// Whether a notebook has SQL that runs in the browser: opening it may then need DuckDB-WASM, worth starting early.
import type * as Y from 'yjs';
import { orderedCells } from '../document';
import { runsLocally } from './engine';
import { isSqlCell } from './kind';

export const hasLocalSql = (doc: Y.Doc): boolean =>
  orderedCells(doc).some((c) => isSqlCell(c) && runsLocally(c));
