// Comments on a notebook's cells: threads (optionally on a range of a cell's source), replies, edits and deletes
// of one's own comments, resolve and reopen. Any member of the notebook's workspace may comment, viewers included;
// non-members are told the notebook does not exist. After each write, everyone with the notebook open is told
// that its comments changed (server/collab/room.ts) and fetches them again with their own access.
import { z } from 'zod';
import {
  AnchorSchema,
  COMMENT_MAX_CHARS,
  mentionedIds,
  type CommentsList,
  type Thread
} from '../../cells/comments';
import { parts } from '../../cells/document';
import { roomsFor } from '../collab/rooms';
import { queueCommentMail } from '../deliveries/comment-mail';
import { kickDeliveries } from '../deliveries/kick';
import type { Db, Queryable } from '../db/types';
import { forbidden, invalid, notFound } from '../errors';
import { CellIdSchema, type NotebookId, type UserId, type WorkspaceId } from '../ids';
import { parseInput } from '../validate';
import { requireNotebookRole } from '../workspaces/access';
import { takeCommentWrite } from './limits';

export type CommentId = string & { readonly __brand: 'CommentId' };
export type ThreadId = string & { readonly __brand: 'ThreadId' };

/** Ids from URLs: identity columns, written as decimal. */
const idParam =
  <T extends string>(what: string) =>
  (v: unknown): T => {
    if (typeof v === 'string' && /^[1-9][0-9]{0,17}$/.test(v)) return v as T;
    throw notFound(what);
  };
export const commentIdParam = idParam<CommentId>('That comment');
export const threadIdParam = idParam<ThreadId>('That thread');

const Body = z
  .string()
  .trim()
  .min(1, 'Write something first.')
  .max(COMMENT_MAX_CHARS, `A comment can be at most ${COMMENT_MAX_CHARS.toLocaleString('en')} characters.`);

const NewThreadSchema = z.object({
  cellId: CellIdSchema,
  body: Body,
  anchor: AnchorSchema.nullish().transform((a) => a ?? null)
});
const BodySchema = z.object({ body: Body });
const ResolveSchema = z.object({ resolved: z.boolean() });

/** Mentions must name members of the notebook's workspace. */
async function checkMentions(db: Queryable, workspaceId: WorkspaceId, body: string): Promise<string[]> {
  const ids = mentionedIds(body);
  if (ids.length === 0) return ids;
  const rows = await db.query<{ user_id: string }>(
    'select user_id from memberships where workspace_id = $1 and user_id = any($2::text[])',
    [workspaceId, ids]
  );
  if (rows.length !== ids.length)
    throw invalid('You can mention only members of this workspace.', {
      body: 'Mention only members of this workspace.'
    });
  return ids;
}

async function addComment(
  tx: Queryable,
  notebookId: NotebookId,
  threadId: ThreadId,
  userId: UserId,
  body: string,
  mentions: string[]
): Promise<void> {
  const rows = await tx.query<{ id: string }>(
    'insert into comments (thread_id, author_id, body) values ($1::bigint, $2, $3) returning id::text as id',
    [threadId, userId, body]
  );
  const commentId = rows[0]!.id as CommentId;
  await setMentions(tx, commentId, userId, mentions);
  // Mentions and replies by mail (server/deliveries/comment-mail.ts); edits mail nobody.
  await queueCommentMail(tx, {
    notebookId,
    threadId,
    commentId,
    authorId: userId,
    body,
    mentioned: mentions
  });
}

/** A comment's mentions as its body now says; nobody is told about mentioning themselves. */
async function setMentions(tx: Queryable, commentId: CommentId, userId: UserId, mentions: string[]) {
  const others = mentions.filter((id) => id !== userId);
  await tx.query(
    'delete from comment_mentions where comment_id = $1::bigint and not (user_id = any($2::text[]))',
    [commentId, others]
  );
  if (others.length > 0)
    await tx.query(
      `insert into comment_mentions (comment_id, user_id) select $1::bigint, unnest($2::text[])
       on conflict do nothing`,
      [commentId, others]
    );
}

/** Signals the change to clients of this notebook here and, through the relay (REDIS_URL), on other servers. */
function changed(db: Db, notebookId: NotebookId): void {
  kickDeliveries();
  const rooms = roomsFor(db);
  rooms.relay?.publishComments(notebookId);
  void rooms.peek(notebookId).then((room) => room?.commentsChanged());
}

/** The notebook's threads, oldest first, and its workspace's members (names for mentions). Viewers and up. */
export async function listComments(db: Db, userId: UserId, notebookId: NotebookId): Promise<CommentsList> {
  const { notebook } = await requireNotebookRole(db, userId, notebookId, 'viewer');
  const threads = await db.query<{
    id: string;
    cell_id: string;
    anchor_start: string | null;
    anchor_end: string | null;
    anchor_quote: string | null;
    created_at: Date;
    resolved_at: Date | null;
    resolved_by: string | null;
  }>(
    `select id::text as id, cell_id, anchor_start, anchor_end, anchor_quote, created_at, resolved_at, resolved_by
       from comment_threads where notebook_id = $1 order by id`,
    [notebookId]
  );
  const comments = await db.query<{
    id: string;
    thread_id: string;
    author_id: string | null;
    author_name: string | null;
    body: string;
    created_at: Date;
    edited_at: Date | null;
  }>(
    `select c.id::text as id, c.thread_id::text as thread_id, c.author_id, u.name as author_name, c.body,
            c.created_at, c.edited_at
       from comments c join comment_threads t on t.id = c.thread_id left join users u on u.id = c.author_id
      where t.notebook_id = $1 order by c.id`,
    [notebookId]
  );
  const members = await db.query<{ id: string; name: string }>(
    `select u.id, u.name from memberships m join users u on u.id = m.user_id
      where m.workspace_id = $1 order by u.name`,
    [notebook.workspaceId]
  );
  const byThread = new Map<string, Thread>();
  for (const t of threads)
    byThread.set(t.id, {
      id: t.id,
      cellId: t.cell_id,
      anchor:
        t.anchor_start && t.anchor_end
          ? { start: t.anchor_start, end: t.anchor_end, quote: t.anchor_quote ?? '' }
          : null,
      createdAt: new Date(t.created_at).toISOString(),
      resolvedAt: t.resolved_at ? new Date(t.resolved_at).toISOString() : null,
      resolvedBy: t.resolved_by,
      comments: []
    });
  for (const c of comments)
    byThread.get(c.thread_id)?.comments.push({
      id: c.id,
      authorId: c.author_id,
      authorName: c.author_name ?? 'A former member',
      body: c.body,
      createdAt: new Date(c.created_at).toISOString(),
      editedAt: c.edited_at ? new Date(c.edited_at).toISOString() : null
    });
  return { threads: [...byThread.values()], members };
}

/** Whether the notebook's live document has this cell now (threads start only on cells that exist). */
async function hasCell(db: Db, notebookId: NotebookId, cellId: string): Promise<boolean> {
  return roomsFor(db).withRoom(notebookId, async (room) => parts(room.doc).cells.has(cellId));
}

export async function startThread(
  db: Db,
  userId: UserId,
  notebookId: NotebookId,
  input: unknown
): Promise<{ threadId: ThreadId }> {
  const { notebook } = await requireNotebookRole(db, userId, notebookId, 'viewer');
  const { cellId, body, anchor } = parseInput(NewThreadSchema, input);
  const mentions = await checkMentions(db, notebook.workspaceId, body);
  if (!(await hasCell(db, notebookId, cellId))) throw notFound('That cell');
  const threadId = await db.transaction(async (tx) => {
    await takeCommentWrite(tx, userId, 'post');
    const rows = await tx.query<{ id: string }>(
      `insert into comment_threads (notebook_id, cell_id, anchor_start, anchor_end, anchor_quote, created_by)
       values ($1, $2, $3, $4, $5, $6) returning id::text as id`,
      [notebookId, cellId, anchor?.start ?? null, anchor?.end ?? null, anchor?.quote ?? null, userId]
    );
    const id = rows[0]!.id as ThreadId;
    await addComment(tx, notebookId, id, userId, body, mentions);
    return id;
  });
  changed(db, notebookId);
  return { threadId };
}

async function threadIn(db: Queryable, notebookId: NotebookId, threadId: ThreadId): Promise<void> {
  const rows = await db.query('select 1 from comment_threads where id = $1::bigint and notebook_id = $2', [
    threadId,
    notebookId
  ]);
  if (rows.length === 0) throw notFound('That thread');
}

export async function reply(
  db: Db,
  userId: UserId,
  notebookId: NotebookId,
  threadId: ThreadId,
  input: unknown
): Promise<void> {
  const { notebook } = await requireNotebookRole(db, userId, notebookId, 'viewer');
  const { body } = parseInput(BodySchema, input);
  await threadIn(db, notebookId, threadId);
  const mentions = await checkMentions(db, notebook.workspaceId, body);
  await db.transaction(async (tx) => {
    await takeCommentWrite(tx, userId, 'post');
    await addComment(tx, notebookId, threadId, userId, body, mentions);
  });
  changed(db, notebookId);
}

/** Resolve or reopen: any member who can comment. */
export async function setResolved(
  db: Db,
  userId: UserId,
  notebookId: NotebookId,
  threadId: ThreadId,
  input: unknown
): Promise<void> {
  await requireNotebookRole(db, userId, notebookId, 'viewer');
  const { resolved } = parseInput(ResolveSchema, input);
  await threadIn(db, notebookId, threadId);
  await db.transaction(async (tx) => {
    await takeCommentWrite(tx, userId, 'change');
    await tx.query(
      resolved
        ? 'update comment_threads set resolved_at = now(), resolved_by = $2 where id = $1::bigint'
        : 'update comment_threads set resolved_at = null, resolved_by = null where id = $1::bigint',
      resolved ? [threadId, userId] : [threadId]
    );
  });
  changed(db, notebookId);
}

/** The comment, if it is in this notebook and written by `userId`; others' comments cannot be changed. */
async function ownComment(
  db: Queryable,
  userId: UserId,
  notebookId: NotebookId,
  commentId: CommentId
): Promise<{ threadId: ThreadId }> {
  const rows = await db.query<{ author_id: string | null; thread_id: string }>(
    `select c.author_id, c.thread_id::text as thread_id
       from comments c join comment_threads t on t.id = c.thread_id
      where c.id = $1::bigint and t.notebook_id = $2`,
    [commentId, notebookId]
  );
  const row = rows[0];
  if (!row) throw notFound('That comment');
  if (row.author_id !== userId) throw forbidden('You can change only your own comments.');
  return { threadId: row.thread_id as ThreadId };
}

export async function editComment(
  db: Db,
  userId: UserId,
  notebookId: NotebookId,
  commentId: CommentId,
  input: unknown
): Promise<void> {
  const { notebook } = await requireNotebookRole(db, userId, notebookId, 'viewer');
  const { body } = parseInput(BodySchema, input);
  await ownComment(db, userId, notebookId, commentId);
  const mentions = await checkMentions(db, notebook.workspaceId, body);
  await db.transaction(async (tx) => {
    await takeCommentWrite(tx, userId, 'change');
    await tx.query('update comments set body = $2, edited_at = now() where id = $1::bigint', [
      commentId,
      body
    ]);
    await setMentions(tx, commentId, userId, mentions);
  });
  changed(db, notebookId);
}

/** Deletes one's own comment; a thread left with no comments goes with it. */
export async function deleteComment(
  db: Db,
  userId: UserId,
  notebookId: NotebookId,
  commentId: CommentId
): Promise<void> {
  await requireNotebookRole(db, userId, notebookId, 'viewer');
  const { threadId } = await ownComment(db, userId, notebookId, commentId);
  await db.transaction(async (tx) => {
    await takeCommentWrite(tx, userId, 'change');
    await tx.query('delete from comments where id = $1::bigint', [commentId]);
    await tx.query(
      `delete from comment_threads t where t.id = $1::bigint
         and not exists (select 1 from comments c where c.thread_id = t.id)`,
      [threadId]
    );
  });
  changed(db, notebookId);
}
