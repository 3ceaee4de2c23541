// The cells an assistant's answer may contain, shared by the server (which checks the model's output) and the
// browser (which checks the events it receives and inserts the cells). Each kind's part is its own
// cells/<kind>/assistant.ts (see ../assistant-output.ts); this lists them.
import { z } from 'zod';
import type { AssistantOutput } from '../assistant-output';
import { chartAnswer } from '../chart/assistant';
import type { NewCell } from '../document';
import { sqlAnswer } from '../sql/assistant';
import { textAnswer } from '../text/assistant';

/** In the order the model is told about them. */
export const AnswerCellSchema = z.discriminatedUnion('kind', [
  sqlAnswer.schema,
  chartAnswer.schema,
  textAnswer.schema
]);
export type AnswerCell = z.infer<typeof AnswerCellSchema>;
export type AnswerKind = AnswerCell['kind'];
export type AnswerOf<K extends AnswerKind> = Extract<AnswerCell, { kind: K }>;

/** Each kind the assistant writes, by kind (the compiler keeps it in step with the list above). */
const OUTPUTS: { [K in AnswerKind]: AssistantOutput<AnswerOf<K>> } = {
  sql: sqlAnswer,
  chart: chartAnswer,
  text: textAnswer
};

export const isAnswerKind = (kind: string): kind is AnswerKind => Object.hasOwn(OUTPUTS, kind);

/** What the assistant's output of `kind` does: `answerOutput(cell.kind).check(cell, …)`. */
export function answerOutput<K extends AnswerKind>(kind: K): AssistantOutput<AnswerOf<K>> {
  return OUTPUTS[kind];
}

export const AnswerSchema = z.object({
  explanation: z.string().max(4000),
  cells: z.array(AnswerCellSchema).max(12)
});

/** An answer's cell as a new notebook cell. */
export const toNewCell = (cell: AnswerCell): NewCell => answerOutput(cell.kind).toNewCell(cell);

/** One line of the assistant's NDJSON stream. */
export const AssistEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('cell'), cell: AnswerCellSchema }),
  z.object({ type: z.literal('done'), explanation: z.string() }),
  z.object({ type: z.literal('error'), message: z.string() })
]);
export type AssistEvent = z.infer<typeof AssistEventSchema>;
