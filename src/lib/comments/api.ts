// The browser's side of /api/notebooks/:id/comments and /api/mentions. Answers are checked with zod before the
// panel shows them; a failure carries the server's own words (too long, too many, not a member…).
import { z } from 'zod';
import { CommentsListSchema, type Anchor, type CommentsList } from '$cells/comments';
import { errorMessage } from '$lib/api-error';

export class CommentsError extends Error {}

async function call<T>(schema: z.ZodType<T>, url: string, fallback: string, init?: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-store', ...init });
  } catch {
    throw new CommentsError(`${fallback}: the server could not be reached.`);
  }
  if (!res.ok) throw new CommentsError(await errorMessage(res, fallback));
  const parsed = schema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new CommentsError(`${fallback}: the server’s answer was not understood.`);
  return parsed.data;
}

const send = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: body === undefined ? undefined : JSON.stringify(body)
});

const Ok = z.object({ ok: z.literal(true) });
const base = (notebookId: string) => `/api/notebooks/${encodeURIComponent(notebookId)}/comments`;

export const listComments = (notebookId: string): Promise<CommentsList> =>
  call(CommentsListSchema, base(notebookId), 'Could not load the comments');

export const startThread = (
  notebookId: string,
  input: { cellId: string; body: string; anchor: Anchor | null }
): Promise<{ threadId: string }> =>
  call(
    z.object({ threadId: z.string() }),
    base(notebookId),
    'Could not post the comment',
    send('POST', input)
  );

export const replyTo = (notebookId: string, threadId: string, body: string) =>
  call(Ok, `${base(notebookId)}/threads/${threadId}`, 'Could not post the reply', send('POST', { body }));

export const setResolved = (notebookId: string, threadId: string, resolved: boolean) =>
  call(
    Ok,
    `${base(notebookId)}/threads/${threadId}`,
    resolved ? 'Could not resolve the thread' : 'Could not reopen the thread',
    send('PATCH', { resolved })
  );

export const editComment = (notebookId: string, commentId: string, body: string) =>
  call(Ok, `${base(notebookId)}/${commentId}`, 'Could not save the comment', send('PATCH', { body }));

export const deleteComment = (notebookId: string, commentId: string) =>
  call(Ok, `${base(notebookId)}/${commentId}`, 'Could not delete the comment', send('DELETE'));

export const markMentionsRead = (commentIds: string[]) =>
  call(Ok, '/api/mentions/read', 'Could not mark the mention read', send('POST', { commentIds }));
