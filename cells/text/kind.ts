// Text cell: markdown prose between the analysis.
import { z } from 'zod';
import type { CellKind } from '../types';
import { firstLine } from './first-line';
import { proseForAssistant } from '../prose';
import { renameReferences } from '../rename-references';
import { textReferenceSpans } from './input-values';

export const TextConfigSchema = z.object({});
export type TextConfig = z.infer<typeof TextConfigSchema>;

export const textKind: CellKind<TextConfig> = {
  kind: 'text',
  label: 'Text',
  configSchema: TextConfigSchema,
  language: 'markdown',
  runnable: false,
  named: false,
  defaults: () => ({ source: '', config: {} }),
  labelOf: (cell) => firstLine(cell.source) || 'Empty text',
  describe: (cell) => `Text: ${proseForAssistant(cell.source)}`,
  dashboardViews: ['text'],
  followRename: ({ source }, from, to) =>
    renameReferences(source, textReferenceSpans(source.toString()), from, to)
};
