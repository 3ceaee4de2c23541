// The cells an assistant's answer may contain, shared by the server (which checks the model's output) and the
// browser (which checks the events it receives and inserts the cells).
import { z } from 'zod';
import { ChannelSchema, MARKS } from '../chart/config';
import type { NewCell } from '../document';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const SqlCellSchema = z.object({
  kind: z.literal('sql'),
  name: z.string().regex(IDENT).max(63),
  /** 'local' (DuckDB in the browser) or a connection id from the context. */
  engine: z.string().max(64).default('local'),
  sql: z.string().min(1).max(20_000),
  /** The columns the query returns, so charts in the same answer can be checked. */
  columns: z.array(z.string().max(300)).max(300).default([])
});

export const ChartCellSchema = z.object({
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

export const TextCellSchema = z.object({ kind: z.literal('text'), markdown: z.string().max(20_000) });

export const AnswerCellSchema = z.discriminatedUnion('kind', [
  SqlCellSchema,
  ChartCellSchema,
  TextCellSchema
]);
export type AnswerCell = z.infer<typeof AnswerCellSchema>;

export const AnswerSchema = z.object({
  explanation: z.string().max(4000),
  cells: z.array(AnswerCellSchema).max(12)
});

/** An answer's cell as a new notebook cell. */
export function toNewCell(cell: AnswerCell): NewCell {
  switch (cell.kind) {
    case 'sql':
      return { kind: 'sql', name: cell.name, source: cell.sql, config: { engine: cell.engine } };
    case 'text':
      return { kind: 'text', source: cell.markdown };
    case 'chart': {
      const { kind: _kind, ...rest } = cell;
      const config: Record<string, unknown> = { mode: 'builder' };
      for (const [k, v] of Object.entries(rest)) if (v !== undefined) config[k] = v;
      return { kind: 'chart', config };
    }
  }
}

/** One line of the assistant's NDJSON stream. */
export const AssistEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cell'), cell: AnswerCellSchema }),
  z.object({ type: z.literal('done'), explanation: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() })
]);
export type AssistEvent = z.infer<typeof AssistEventSchema>;
