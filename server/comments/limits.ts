// Per-person limits on comment writes, counted in PostgreSQL (comment_writes) so that every app process shares
// them. Taken under a per-person advisory lock inside the write's transaction: parallel requests cannot all slip
// under the limit.
import { COMMENT_WRITES_PER_MINUTE, COMMENTS_PER_MINUTE } from '../../cells/comments';
import type { Queryable } from '../db/types';
import { AppError } from '../errors';
import type { UserId } from '../ids';

export type WriteKind = 'post' | 'change';

export async function takeCommentWrite(tx: Queryable, userId: UserId, kind: WriteKind): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`comments:${userId}`]);
  await tx.query(
    `delete from comment_writes where user_id = $1 and created_at <= now() - interval '1 minute'`,
    [userId]
  );
  const rows = await tx.query<{ posts: number; total: number; oldest: Date | null }>(
    `select count(*) filter (where kind = 'post')::int as posts, count(*)::int as total, min(created_at) as oldest
       from comment_writes where user_id = $1`,
    [userId]
  );
  const { posts, total, oldest } = rows[0] ?? { posts: 0, total: 0, oldest: null };
  const over =
    kind === 'post' && posts >= COMMENTS_PER_MINUTE
      ? `You have posted ${COMMENTS_PER_MINUTE} comments in the past minute, the limit.`
      : total >= COMMENT_WRITES_PER_MINUTE
        ? `You have changed comments ${COMMENT_WRITES_PER_MINUTE} times in the past minute, the limit.`
        : null;
  if (over) {
    const waitS = oldest
      ? Math.max(1, Math.ceil((new Date(oldest).getTime() + 60_000 - Date.now()) / 1000))
      : 60;
    throw new AppError('rate_limited', `${over} Try again in ${waitS} s.`, { retryAfterS: waitS });
  }
  await tx.query('insert into comment_writes (user_id, kind) values ($1, $2)', [userId, kind]);
}
