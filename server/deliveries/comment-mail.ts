// Mail about comments, through the same outbox: a person newly mentioned in a comment, and those who wrote earlier
// in a thread when someone replies (a mention wins over a reply; nobody hears of their own comment). Queued in the
// comment's own transaction, so a comment that is rolled back mails nobody. Skipped when mail is not configured
// and for people who turned it off (notification-settings.ts); membership is checked again when sending.
import { MENTION } from '../../cells/comments';
import { loadConfig } from '../config';
import type { Queryable } from '../db/types';
import type { NotebookId, UserId } from '../ids';
import { enqueue } from './outbox';

const EXCERPT = 500;

export async function queueCommentMail(
  tx: Queryable,
  c: {
    notebookId: NotebookId;
    threadId: string;
    commentId: string;
    authorId: UserId;
    body: string;
    mentioned: string[];
  }
): Promise<void> {
  if (!loadConfig().mail) return;
  const mentioned = new Set(c.mentioned.filter((id) => id !== c.authorId));
  const earlier = await tx.query<{ author_id: UserId }>(
    `select distinct author_id from comments where thread_id = $1::bigint and id <> $2::bigint
        and author_id is not null and author_id <> $3`,
    [c.threadId, c.commentId, c.authorId]
  );
  const repliedTo = earlier.map((r) => r.author_id).filter((id) => !mentioned.has(id));
  const everyone = [...mentioned, ...repliedTo];
  if (everyone.length === 0) return;
  const wanted = new Set<string>(
    (
      await tx.query<{ id: UserId }>(
        `select u.id from users u left join notification_settings s on s.user_id = u.id
          where u.id = any($1::text[]) and coalesce(s.mention_emails, true)`,
        [everyone]
      )
    ).map((r) => r.id)
  );
  const ids = [...new Set([c.authorId, ...[...c.body.matchAll(MENTION)].map((m) => m[1]!)])];
  const names = new Map(
    (
      await tx.query<{ id: string; name: string }>('select id, name from users where id = any($1::text[])', [
        ids
      ])
    ).map((u) => [u.id, u.name])
  );
  const text = c.body.replace(MENTION, (_, id: string) => `@${names.get(id) ?? 'someone'}`);
  const excerpt = text.length > EXCERPT ? `${text.slice(0, EXCERPT - 1)}…` : text;
  const author = names.get(c.authorId) ?? 'Someone';
  await enqueue(
    tx,
    everyone
      .filter((id) => wanted.has(id))
      .map((userId) => ({
        notebookId: c.notebookId,
        userId: userId as UserId,
        content: {
          type: 'comment' as const,
          reason: mentioned.has(userId) ? ('mention' as const) : ('reply' as const),
          author,
          excerpt,
          threadId: c.threadId
        }
      }))
  );
}
