// Prompt cell: a request to the AI assistant. The request is the cell's text; the cells it produced, the model's
// explanation and the request's state live in its config, so co-editors see them.
import { z } from 'zod';
import { readKeyByKey } from '../read-config';
import { proseForAssistant } from '../prose';
import type { CellKind } from '../types';

export const PromptConfigSchema = z.object({
  /** Ids of the cells the last answer inserted (regenerate replaces them). */
  generated: z.array(z.string().max(64)).max(50).default([]),
  explanation: z.string().max(4000).default(''),
  status: z.enum(['idle', 'asking', 'done', 'error']).default('idle'),
  error: z.string().max(2000).default(''),
  by: z.string().max(200).default(''),
  /** When the current request started (ms since 1970): a request older than its timeout is over. */
  startedAt: z.number().default(0),
  /** Hashes of the generated cells' sources as inserted, to notice edits before regenerating. */
  hashes: z.array(z.string().max(16)).max(50).default([])
});
export type PromptConfig = z.infer<typeof PromptConfigSchema>;

/** Key by key: one bad value from a client reads as unset, without losing the rest. */
export const readPromptConfig = (raw: Record<string, unknown>): PromptConfig =>
  readKeyByKey(PromptConfigSchema, raw);

export const promptKind: CellKind<PromptConfig> = {
  kind: 'prompt',
  label: 'Ask AI',
  configSchema: PromptConfigSchema,
  language: 'plain',
  runnable: false,
  named: false,
  defaults: () => ({
    source: '',
    config: { generated: [], explanation: '', status: 'idle', error: '', by: '', startedAt: 0, hashes: [] }
  }),
  labelOf: (cell) => cell.source.trim().split('\n')[0]?.slice(0, 40) || 'Request to the assistant',
  describe: (cell) => `Request to the assistant: ${proseForAssistant(cell.source)}`,
  dashboardViews: []
};

/** Whether `cell` is a request to the assistant. */
export const isPromptCell = (cell: { kind: string }): boolean => cell.kind === promptKind.kind;
