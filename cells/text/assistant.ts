// A text cell in an assistant's answer: markdown for the reader, with no images.
import { z } from 'zod';
import type { AssistantOutput } from '../assistant-output';

export const TextAnswerSchema = z.object({ kind: z.literal('text'), markdown: z.string().max(20_000) });
export type TextAnswer = z.infer<typeof TextAnswerSchema>;

export const textAnswer = {
  schema: TextAnswerSchema,
  check: (cell) => ({ ok: true, cell: { ...cell, markdown: withoutImages(cell.markdown) } }),
  toNewCell: (cell) => ({ kind: 'text', source: cell.markdown })
} satisfies AssistantOutput<TextAnswer>;

/**
 * Images in model-written markdown become links: an image loads by itself whenever anyone opens the notebook, so a
 * model steered by text it read (a sample value, a cell) could send context to another server through its URL.
 */
export function withoutImages(markdown: string): string {
  return markdown.replace(/!\[([^\]]*)\]\(([^)]*)\)/g, '[$1]($2)').replace(/<img\b[^>]*>/gi, '');
}
