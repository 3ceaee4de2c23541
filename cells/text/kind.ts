// Text cell: markdown prose between the analysis.
import { z } from 'zod';
import type { CellKind } from '../types';

export const TextConfigSchema = z.object({});
export type TextConfig = z.infer<typeof TextConfigSchema>;

export const textKind: CellKind<TextConfig> = {
  kind: 'text',
  label: 'Text',
  configSchema: TextConfigSchema,
  language: 'markdown',
  runnable: false,
  named: false,
  defaults: () => ({ source: '', config: {} })
};
