// Assistant requests as rows: who may ask, how often, and what each request cost. A request's row is written
// (as 'pending') before the model is called, under a per-user lock, so parallel requests cannot all slip under the
// hourly limit; it is completed with its outcome and token counts when the request ends.
import type { ServerConfig } from '../config';
import type { Db, Queryable } from '../db/types';
import { AppError } from '../errors';
import type { NotebookId, UserId, WorkspaceId } from '../ids';
import { requireNotebookRole } from '../workspaces/access';

export const NOT_CONFIGURED = 'AI is not configured — set GEMINI_API_KEY on the server.';

export type Reserved = {
  requestId: string;
  userId: UserId;
  notebookId: NotebookId;
  workspaceId: WorkspaceId;
  title: string;
};
export type Usage = { promptTokens: number | null; outputTokens: number | null };

async function checkRate(db: Queryable, userId: UserId, perHour: number): Promise<void> {
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

/** Everything that must hold before the model is called; records the request. Throws readable errors. */
export async function reserveRequest(
  db: Db,
  ai: ServerConfig['ai'],
  args: { userId: UserId; notebookId: NotebookId; kind: 'generate' | 'fix' }
): Promise<Reserved> {
  const { notebook } = await requireNotebookRole(db, args.userId, args.notebookId, 'editor');
  if (!ai.apiKey) throw new AppError('unavailable', NOT_CONFIGURED);
  const requestId = await db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`ai:${args.userId}`]);
    await checkRate(tx, args.userId, ai.perHour);
    const rows = await tx.query<{ id: string }>(
      `insert into ai_requests (workspace_id, user_id, notebook_id, kind, status)
       values ($1, $2, $3, $4, 'pending') returning id::text as id`,
      [notebook.workspaceId, args.userId, args.notebookId, args.kind]
    );
    return rows[0]!.id;
  });
  return {
    requestId,
    userId: args.userId,
    notebookId: args.notebookId,
    workspaceId: notebook.workspaceId,
    title: notebook.title
  };
}

export async function finishRequest(
  db: Queryable,
  requestId: string,
  outcome: { status: string; ms: number },
  usage: Usage
): Promise<void> {
  await db
    .query(
      'update ai_requests set status = $2, ms = $3, prompt_tokens = $4, output_tokens = $5 where id = $1::bigint',
      [requestId, outcome.status, outcome.ms, usage.promptTokens, usage.outputTokens]
    )
    .catch((e: unknown) => console.error('assistant: could not record a request:', e));
}
