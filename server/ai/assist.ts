// One request to the assistant, start to finish: who may ask and how often, what the model is told, and the
// cells of its answer — each checked before it is handed on, in the order the model writes them.
import type { ServerConfig } from '../config';
import type { Queryable } from '../db/types';
import { AppError } from '../errors';
import { requireNotebookRole } from '../workspaces/access';
import type { AssistEvent } from '../../cells/prompt/answer';
import { checkCell, freeName, type Known } from './answer';
import { AnswerStream, NOT_JSON } from './answer-stream';
import { buildContext } from './context';
import { gather } from './gather';
import { GeminiModel, MODEL_TIMEOUT_MS } from './gemini';
import { answerJsonSchema, SYSTEM_INSTRUCTION } from './instructions';
import { z } from 'zod';

export type { AssistEvent } from '../../cells/prompt/answer';

export const AssistRequestSchema = z.object({
  prompt: z.string().trim().min(1, 'Write what you want first.').max(4000),
  /** The prompt cell asking; the context is the cells above it. */
  cellId: z.string().max(64).nullable().default(null)
});

export const NOT_CONFIGURED = 'AI is not configured — set GEMINI_API_KEY on the server.';

type Ai = ServerConfig['ai'];

/** Refuses a user over their hourly allowance, saying when they may ask again. */
export async function checkRate(db: Queryable, userId: string, perHour: number): Promise<void> {
  const rows = await db.query<{ n: number; oldest: Date | null }>(
    `select count(*)::int as n, min(created_at) as oldest from ai_requests
      where user_id = $1 and created_at > now() - interval '1 hour'`,
    [userId]
  );
  const { n, oldest } = rows[0] ?? { n: 0, oldest: null };
  if (n < perHour) return;
  const waitS = oldest
    ? Math.max(1, Math.ceil((new Date(oldest).getTime() + 3_600_000 - Date.now()) / 1000))
    : 60;
  throw new AppError(
    'rate_limited',
    `You have asked the assistant ${perHour} times in the past hour, the limit. Try again in ${Math.ceil(waitS / 60)} min.`,
    { retryAfterS: waitS }
  );
}

export async function logRequest(
  db: Queryable,
  row: {
    workspaceId: string;
    userId: string;
    notebookId: string;
    kind: 'generate' | 'fix';
    status: string;
    ms: number;
  },
  usage: { promptTokens: number | null; outputTokens: number | null }
): Promise<void> {
  await db.query(
    `insert into ai_requests (workspace_id, user_id, notebook_id, kind, status, prompt_tokens, output_tokens, ms)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      row.workspaceId,
      row.userId,
      row.notebookId,
      row.kind,
      row.status,
      usage.promptTokens,
      usage.outputTokens,
      row.ms
    ]
  );
}

/** Everything that must hold before the model is called; throws readable errors (mapped to HTTP by the route). */
export async function startAssist(
  db: Queryable,
  ai: Ai,
  args: { userId: string; notebookId: string }
): Promise<{ workspaceId: string; title: string }> {
  const { notebook } = await requireNotebookRole(db, args.userId, args.notebookId, 'editor');
  if (!ai.apiKey) throw new AppError('unavailable', NOT_CONFIGURED);
  await checkRate(db, args.userId, ai.perHour);
  return { workspaceId: notebook.workspaceId, title: notebook.title };
}

export async function* assist(
  db: Queryable,
  config: ServerConfig,
  args: {
    userId: string;
    notebookId: string;
    workspaceId: string;
    title: string;
    prompt: string;
    cellId: string | null;
    timeoutMs?: number;
  }
): AsyncGenerator<AssistEvent> {
  const started = Date.now();
  const timeoutMs = args.timeoutMs ?? MODEL_TIMEOUT_MS;
  const model = new GeminiModel({
    apiKey: config.ai.apiKey ?? '',
    model: config.ai.model,
    baseUrl: config.ai.baseUrl
  });
  const timeout = AbortSignal.timeout(timeoutMs);
  let status = 'ok';
  try {
    const g = await gather(db, config.dataDir, { ...args, beforeCellId: args.cellId });
    const context = buildContext({ title: g.title, prompt: args.prompt, tables: g.tables, cells: g.cells });
    const known: Known = { results: new Map(g.results), engines: g.engines };
    const taken = new Set(g.results.keys());
    const renamed = new Map<string, string>();
    const stream = new AnswerStream();
    const user = `${context.text}\n\nRequest: ${args.prompt}`;
    for await (const text of model.stream({
      system: SYSTEM_INSTRUCTION,
      user,
      schema: answerJsonSchema(),
      signal: timeout,
      timeoutMs
    })) {
      for (const raw of stream.push(text)) {
        if (raw === NOT_JSON) {
          status = 'invalid';
          yield {
            type: 'error',
            message: 'The assistant wrote a cell that is not valid JSON; nothing more was added.'
          };
          return;
        }
        const checked = checkCell(follow(raw, renamed), known);
        if (!checked.ok) {
          status = 'invalid';
          yield { type: 'error', message: `The assistant wrote ${checked.error}; nothing more was added.` };
          return;
        }
        const cell = checked.cell;
        if (cell.kind === 'sql') {
          // A name already used in the notebook gets a suffix; later charts of it follow.
          const name = freeName(cell.name, taken);
          if (name !== cell.name) {
            renamed.set(cell.name, name);
            known.results.set(name, known.results.get(cell.name) ?? null);
          }
          taken.add(name);
          yield { type: 'cell', cell: { ...cell, name } };
        } else yield { type: 'cell', cell };
      }
    }
    let explanation = '';
    try {
      const parsed = JSON.parse(stream.full) as { explanation?: unknown };
      explanation = typeof parsed.explanation === 'string' ? parsed.explanation.slice(0, 4000) : '';
    } catch {
      status = 'invalid';
      yield {
        type: 'error',
        message: 'The assistant’s answer was cut off or is not valid JSON; what came before it was kept.'
      };
      return;
    }
    yield { type: 'done', explanation };
  } catch (e) {
    status = timeout.aborted ? 'timeout' : 'failed';
    yield { type: 'error', message: e instanceof AppError ? e.message : 'The assistant failed; try again.' };
    if (!(e instanceof AppError)) console.error('assistant:', e);
  } finally {
    await logRequest(
      db,
      {
        workspaceId: args.workspaceId,
        userId: args.userId,
        notebookId: args.notebookId,
        kind: 'generate',
        status,
        ms: Date.now() - started
      },
      model.usage
    ).catch((e: unknown) => console.error('assistant: could not log a request:', e));
  }
}

/** A chart of a result that was renamed (its name was taken) reads the new name. */
function follow(raw: unknown, renamed: Map<string, string>): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const r = raw as Record<string, unknown>;
  if (r.kind === 'chart' && typeof r.source === 'string' && renamed.has(r.source))
    return { ...r, source: renamed.get(r.source) };
  return raw;
}
