// What the browser and the server agree on about comments: their limits, how a mention is written in a body
// (@{userId}, shown as the member's name), and the shape of a thread as the API returns it.
import { z } from 'zod';

/** Characters in one comment's markdown. */
export const COMMENT_MAX_CHARS = 5_000;
/** New comments (threads and replies) a person may post in a minute, and writes of any kind. */
export const COMMENTS_PER_MINUTE = 30;
export const COMMENT_WRITES_PER_MINUTE = 120;
/** Characters of the quoted text a range-anchored thread keeps, and of an encoded relative position. */
export const QUOTE_MAX_CHARS = 500;
export const POSITION_MAX_CHARS = 256;

/** A mention in a comment's body: @{id}, id being a user id (16 base32 characters). */
export const MENTION = /@\{([a-z2-7]{16})\}/g;

/** The distinct user ids a body mentions, in order of first appearance. */
export function mentionedIds(body: string): string[] {
  return [...new Set([...body.matchAll(MENTION)].map((m) => m[1]!))];
}

/** Markdown's punctuation, escaped so a name is shown as typed. */
const escapeMarkdown = (s: string) => s.replace(/[\\`*_{}[\]()#+\-.!<>|~&]/g, (c) => `\\${c}`);

/** The body with each mention as the member's name in bold (an unknown id as "@someone"), ready for markdown. */
export function mentionsAsNames(body: string, nameOf: (id: string) => string | undefined): string {
  return body.replace(MENTION, (_, id: string) => `**@${escapeMarkdown(nameOf(id) ?? 'someone')}**`);
}

const Iso = z.string();

export const CommentSchema = z.object({
  id: z.string(),
  authorId: z.string().nullable(),
  authorName: z.string(),
  body: z.string(),
  createdAt: Iso,
  editedAt: Iso.nullable()
});
export type Comment = z.infer<typeof CommentSchema>;

export const AnchorSchema = z.object({
  start: z.string().min(1).max(POSITION_MAX_CHARS),
  end: z.string().min(1).max(POSITION_MAX_CHARS),
  quote: z.string().max(QUOTE_MAX_CHARS)
});
export type Anchor = z.infer<typeof AnchorSchema>;

export const ThreadSchema = z.object({
  id: z.string(),
  cellId: z.string(),
  anchor: AnchorSchema.nullable(),
  createdAt: Iso,
  resolvedAt: Iso.nullable(),
  resolvedBy: z.string().nullable(),
  comments: z.array(CommentSchema)
});
export type Thread = z.infer<typeof ThreadSchema>;

export const MemberSchema = z.object({ id: z.string(), name: z.string() });
export type CommentMember = z.infer<typeof MemberSchema>;

export const CommentsListSchema = z.object({
  threads: z.array(ThreadSchema),
  members: z.array(MemberSchema)
});
export type CommentsList = z.infer<typeof CommentsListSchema>;

export const MentionSchema = z.object({
  commentId: z.string(),
  threadId: z.string(),
  notebookId: z.string(),
  notebookTitle: z.string(),
  cellId: z.string(),
  authorName: z.string(),
  body: z.string(),
  createdAt: Iso,
  read: z.boolean()
});
export type Mention = z.infer<typeof MentionSchema>;
