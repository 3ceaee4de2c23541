// Real accounts made through the real sign-up code, for tests that need several people.
import { signUp } from '../../../server/auth/accounts';
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
