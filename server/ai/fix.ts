// "Fix with AI" and the assistant's one retry: a failing query and its error go to the model with the same
// context as a request; the answer is a corrected query (checked: one read-only statement's worth of text) and why.
import type { ServerConfig } from '../config';
import type { Queryable } from '../db/types';
import { AppError } from '../errors';
import { buildContext } from './context';
import { gather } from './gather';
import { GeminiModel, MODEL_TIMEOUT_MS } from './gemini';
import { FIX_INSTRUCTION, FixSchema, fixJsonSchema } from './instructions';
import { finishRequest, type Reserved } from './requests';
import { z } from 'zod';

export const FixRequestSchema = z.object({
  sql: z.string().min(1).max(20_000),
  error: z.string().min(1).max(4000),
  engine: z.string().max(64).default('local'),
  cellId: z.string().max(64).nullable().default(null)
});

export async function fixQuery(
  db: Queryable,
  config: ServerConfig,
  req: Reserved,
  args: z.infer<typeof FixRequestSchema>,
  /** The request going away: nobody is waiting for the fix, so the model is stopped. */
  gone?: AbortSignal
): Promise<{ sql: string; explanation: string }> {
  const started = Date.now();
  const model = new GeminiModel({
    apiKey: config.ai.apiKey ?? '',
    model: config.ai.model,
    baseUrl: config.ai.baseUrl
  });
  const timeout = AbortSignal.timeout(MODEL_TIMEOUT_MS);
  const signal = gone ? AbortSignal.any([timeout, gone]) : timeout;
  let status = 'ok';
  try {
    const g = await gather(db, config.dataDir, { ...req, beforeCellId: args.cellId });
    const context = buildContext({ title: g.title, prompt: args.sql, tables: g.tables, cells: g.cells });
    const user = `${context.text}\n\nThis query (engine "${args.engine}") fails:\n${args.sql}\n\nThe error:\n${args.error}`;
    const text = await model.generate({
      system: FIX_INSTRUCTION,
      user,
      schema: fixJsonSchema(),
      signal,
      timeoutMs: MODEL_TIMEOUT_MS
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    const fix = FixSchema.safeParse(parsed);
    if (!fix.success) {
      status = 'invalid';
      throw new AppError(
        'unavailable',
        'The assistant’s fix was not in the expected form; the query is unchanged.'
      );
    }
    return fix.data;
  } catch (e) {
    if (status === 'ok') status = gone?.aborted ? 'cancelled' : timeout.aborted ? 'timeout' : 'failed';
    throw e;
  } finally {
    await finishRequest(db, req.requestId, { status, ms: Date.now() - started }, model.usage);
  }
}
