// A chart cell in an assistant's answer: a builder chart of a result the notebook or the answer made, over columns
// that result has.
import { z } from 'zod';
import type { AssistantOutput } from '../assistant-output';
import { ChannelSchema, MARKS } from './config';

export const ChartAnswerSchema = z.object({
  kind: z.literal('chart'),
  source: z.string().max(63),
  mark: z.enum(MARKS),
  title: z.string().max(300).optional(),
  x: ChannelSchema.optional(),
  y: ChannelSchema.optional(),
  color: ChannelSchema.optional(),
  size: ChannelSchema.optional(),
  column: ChannelSchema.optional()
});
export type ChartAnswer = z.infer<typeof ChartAnswerSchema>;

const CHANNELS = ['x', 'y', 'color', 'size', 'column'] as const;

export const chartAnswer = {
  schema: ChartAnswerSchema,
  check: (cell, known) => {
    if (!known.results.has(cell.source))
      return { ok: false, error: `a chart of "${cell.source}", which is not a result in this notebook` };
    const columns = known.results.get(cell.source);
    for (const ch of CHANNELS) {
      const field = cell[ch]?.field;
      if (field && columns && !columns.includes(field))
        return { ok: false, error: `a chart of ${cell.source} over a column it does not have: "${field}"` };
    }
    return { ok: true, cell };
  },
  toNewCell: (cell) => {
    const { kind: _kind, ...rest } = cell;
    const config: Record<string, unknown> = { mode: 'builder' };
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) config[k] = v;
    return { kind: 'chart', config };
  },
  followRenames: (cell, renamed) => {
    const to = renamed.get(cell.source);
    return to === undefined ? cell : { ...cell, source: to };
  }
} satisfies AssistantOutput<ChartAnswer>;
