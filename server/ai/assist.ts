// One request to the assistant, start to finish: what the model is told, and the cells of its answer — each
// checked before it is handed on, in the order the model writes them. Who may ask and how often: requests.ts.
import { z } from 'zod';
import { answerOutput, type AnswerCell, type AssistEvent } from '../../cells/prompt/answer';
import type { ServerConfig } from '../config';
import type { Queryable } from '../db/types';
import { AppError } from '../errors';
import { checkCell, freeName, type Known } from './answer';
import { AnswerStream, NOT_JSON } from './answer-stream';
import { buildContext } from './context';
import { gather } from './gather';
import { GeminiModel, MODEL_TIMEOUT_MS } from './gemini';
import { answerJsonSchema, SYSTEM_INSTRUCTION } from './instructions';
import { finishRequest, type Reserved } from './requests';

export type { AssistEvent } from '../../cells/prompt/answer';
export { NOT_CONFIGURED } from './requests';

export const AssistRequestSchema = z.object({
  prompt: z
    .string()
    .trim()
    .min(1, 'Write what you want first.')
    .max(4000, 'Keep the request under 4,000 characters.'),
  /** The prompt cell asking; the context is the cells above it. */
  cellId: z.string().max(64).nullable().default(null),
  /** The answer replaces the cells the last one wrote: the notebook's history keeps a version from before. */
  regenerate: z.boolean().default(false)
});

/** An answer stops here: more cells than anyone asked for is a model gone wrong. */
export const MAX_CELLS = 12;
const MAX_ANSWER_CHARS = 200_000;

export async function* assist(
  db: Queryable,
  config: ServerConfig,
  req: Reserved,
  args: { prompt: string; cellId: string | null; timeoutMs?: number; signal?: AbortSignal }
): AsyncGenerator<AssistEvent> {
  const started = Date.now();
  const timeoutMs = args.timeoutMs ?? MODEL_TIMEOUT_MS;
  const model = new GeminiModel({
    apiKey: config.ai.apiKey ?? '',
    model: config.ai.model,
    baseUrl: config.ai.baseUrl
  });
  const timeout = AbortSignal.timeout(timeoutMs);
  // The person leaving (closing the tab, deleting the prompt) stops the model too.
  const signal = args.signal ? AbortSignal.any([timeout, args.signal]) : timeout;
  let status = 'ok';
  const fail = (why: string, message: string): AssistEvent => {
    status = why;
    return { type: 'error', message };
  };
  try {
    const g = await gather(db, config.dataDir, { ...req, beforeCellId: args.cellId });
    const context = buildContext({ title: g.title, prompt: args.prompt, tables: g.tables, cells: g.cells });
    const known: Known = { results: new Map(g.results), engines: g.engines };
    const taken = new Set([...g.results.keys(), ...g.fileTables].map((n) => n.toLowerCase()));
    const renamed = new Map<string, string>();
    const stream = new AnswerStream();
    let count = 0;
    const user = `${context.text}\n\nRequest: ${args.prompt}`;
    for await (const text of model.stream({
      system: SYSTEM_INSTRUCTION,
      user,
      schema: answerJsonSchema(),
      signal,
      timeoutMs
    })) {
      if (stream.full.length + text.length > MAX_ANSWER_CHARS) {
        yield fail(
          'invalid',
          'The assistant’s answer grew too long and was stopped; what came before was kept.'
        );
        return;
      }
      for (const raw of stream.push(text)) {
        if (raw === NOT_JSON) {
          yield fail('invalid', 'The assistant wrote a cell that is not valid JSON; nothing more was added.');
          return;
        }
        if (count === MAX_CELLS) {
          yield fail(
            'invalid',
            `The assistant wrote more than ${MAX_CELLS} cells; the first ${MAX_CELLS} were kept.`
          );
          return;
        }
        const checked = checkCell(raw, known, renamed);
        if (!checked.ok) {
          yield fail('invalid', `The assistant wrote ${checked.error}; nothing more was added.`);
          return;
        }
        count++;
        yield { type: 'cell', cell: named(checked.cell, taken, renamed, known) };
      }
    }
    const ending = finalCheck(stream.full, count);
    if (ending.error) {
      yield fail('invalid', ending.error);
      return;
    }
    yield { type: 'done', explanation: ending.explanation };
  } catch (e) {
    status = args.signal?.aborted ? 'cancelled' : timeout.aborted ? 'timeout' : 'failed';
    yield { type: 'error', message: e instanceof AppError ? e.message : 'The assistant failed; try again.' };
    if (!(e instanceof AppError)) console.error('assistant:', e);
  } finally {
    await finishRequest(db, req.requestId, { status, ms: Date.now() - started }, model.usage);
  }
}

/**
 * A result name the notebook already uses (results and uploaded files, in any case) gets a suffix; later cells of
 * the answer that read the model's name read the new one (checkCell).
 */
function named(cell: AnswerCell, taken: Set<string>, renamed: Map<string, string>, known: Known): AnswerCell {
  const result = answerOutput(cell.kind).result;
  if (!result) return cell;
  const asked = result.name(cell);
  const name = freeName(asked, taken);
  taken.add(name.toLowerCase());
  if (name === asked) return cell;
  renamed.set(asked, name);
  known.results.set(name, known.results.get(asked) ?? null);
  return result.rename(cell, name);
}

/** The whole answer must be the JSON object the cells came from, with no cells the stream could not read. */
function finalCheck(full: string, streamed: number): { explanation: string; error?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(full);
  } catch {
    return {
      explanation: '',
      error: 'The assistant’s answer was cut off or is not valid JSON; what came before it was kept.'
    };
  }
  const answer = parsed as { explanation?: unknown; cells?: unknown };
  const cells = Array.isArray(answer?.cells) ? answer.cells.length : -1;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || cells !== streamed)
    return {
      explanation: '',
      error: 'Part of the assistant’s answer could not be read; what came before it was kept.'
    };
  return { explanation: typeof answer.explanation === 'string' ? answer.explanation.slice(0, 4000) : '' };
}
