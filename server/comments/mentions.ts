// The mentions inbox: comments in a workspace's notebooks that mention me, newest first, with whether I have
// opened them. Only notebooks I can still see (a member, not deleted) are listed. Bodies come as plain text (the
// start of the comment, mentions as names), shown as text, never as HTML.
import { z } from 'zod';
import { MENTION, type Mention } from '../../cells/comments';
import type { Queryable } from '../db/types';
import type { UserId, WorkspaceId } from '../ids';
import { parseInput } from '../validate';
import { requireWorkspaceRole } from '../workspaces/access';

const INBOX_SIZE = 50;
/** The inbox shows the start of each comment as plain text. */
const EXCERPT_CHARS = 280;

export async function mentionsOf(
  db: Queryable,
  userId: UserId,
  workspaceId: WorkspaceId
): Promise<Mention[]> {
  await requireWorkspaceRole(db, userId, workspaceId, 'viewer');
  const rows = await db.query<{
    comment_id: string;
    thread_id: string;
    notebook_id: string;
    title: string;
    cell_id: string;
    author_name: string | null;
    body: string;
    created_at: Date;
    read_at: Date | null;
  }>(
    `select c.id::text as comment_id, t.id::text as thread_id, n.id as notebook_id, n.title, t.cell_id,
            u.name as author_name, c.body, c.created_at, m.read_at
       from comment_mentions m
       join comments c on c.id = m.comment_id
       join comment_threads t on t.id = c.thread_id
       join notebooks n on n.id = t.notebook_id and n.deleted_at is null
       left join users u on u.id = c.author_id
      where m.user_id = $1 and n.workspace_id = $2
      order by c.id desc limit ${INBOX_SIZE}`,
    [userId, workspaceId]
  );
  const names = new Map(
    (
      await db.query<{ id: string; name: string }>(
        'select u.id, u.name from memberships m join users u on u.id = m.user_id where m.workspace_id = $1',
        [workspaceId]
      )
    ).map((m) => [m.id, m.name])
  );
  const excerpt = (body: string) => {
    const text = body.replace(MENTION, (_, id: string) => `@${names.get(id) ?? 'someone'}`);
    return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
  };
  return rows.map((r) => ({
    commentId: r.comment_id,
    threadId: r.thread_id,
    notebookId: r.notebook_id,
    notebookTitle: r.title,
    cellId: r.cell_id,
    authorName: r.author_name ?? 'A former member',
    body: excerpt(r.body),
    createdAt: new Date(r.created_at).toISOString(),
    read: r.read_at !== null
  }));
}

const ReadSchema = z.object({
  commentIds: z.array(z.string().regex(/^[1-9][0-9]{0,17}$/)).max(200)
});

/** Marks mentions of me as read; ids that are not mentions of me change nothing. */
export async function markMentionsRead(db: Queryable, userId: UserId, input: unknown): Promise<void> {
  const { commentIds } = parseInput(ReadSchema, input);
  if (commentIds.length === 0) return;
  await db.query(
    `update comment_mentions set read_at = now()
      where user_id = $1 and read_at is null and comment_id = any($2::bigint[])`,
    [userId, commentIds]
  );
}
