// Real accounts made through the real sign-up code, for tests that need several people.
import { randomBytes } from 'node:crypto';
import { signUp } from '../../../server/auth/accounts';
import { confirmEmail, verificationToken } from '../../../server/deliveries/email-verification';
import type { Db } from '../../../server/db/types';
import type { UserId, WorkspaceId } from '../../../server/ids';
import { acceptInvite, createInvite } from '../../../server/workspaces/invites';
import type { Role } from '../../../server/workspaces/roles';

let n = 0;

export async function person(db: Db, name = `Person ${++n}`) {
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${crypto.randomUUID().slice(0, 8)}@example.test`;
  const r = await signUp(db, { email, name, password: 'correct horse battery' });
  return { id: r.user.id, email, name, workspaceId: r.workspaceId, token: r.token };
}

/** Adds `member` to `owner`'s workspace with `role`, through an invite link as a user would. */
export async function join(
  db: Db,
  owner: { id: UserId; workspaceId: WorkspaceId },
  member: { id: UserId },
  role: Exclude<Role, 'owner'>
) {
  const invite = await createInvite(db, owner.id, owner.workspaceId, { role });
  await acceptInvite(db, member.id, invite.token);
}

/** Verifies `p`'s address with a link made and opened by the real code, as opening the mailed link does. */
export async function verifyEmail(db: Db, p: { id: UserId; email: string }) {
  const key = randomBytes(32);
  await confirmEmail(db, verificationToken(p.id, p.email, new Date(Date.now() + 3600_000), key), key);
}
