// Invitation links: owners see the links that still work and can revoke each; a revoked link says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  acceptInvite,
  createInvite,
  listInvites,
  previewInvite,
  revokeInvite,
  revokeInvites
} from '../../server/workspaces/invites';
import { roleIn } from '../../server/workspaces/access';
import { hashToken } from '../../server/ids';
import { join, person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => t.cleanup());

const DAY = 24 * 3600 * 1000;
const failure = (p: Promise<unknown>) => p.then(() => null).catch((e) => e);

describe('listing invite links', () => {
  it('shows owners the working links — role, maker, dates — but never a token', async () => {
    const owner = await person(t.db, 'Lister');
    const a = await createInvite(t.db, owner.id, owner.workspaceId, { role: 'editor' });
    const b = await createInvite(t.db, owner.id, owner.workspaceId, { role: 'viewer' });
    // An expired one is not listed.
    await createInvite(t.db, owner.id, owner.workspaceId, { role: 'viewer' }, new Date(Date.now() - 8 * DAY));

    const list = await listInvites(t.db, owner.id, owner.workspaceId);
    expect(list.map((i) => i.id).sort()).toEqual([hashToken(a.token), hashToken(b.token)].sort());
    const editor = list.find((i) => i.role === 'editor')!;
    expect(editor.createdBy).toBe('Lister');
    expect(editor.expiresAt.getTime()).toBe(a.expiresAt.getTime());
    expect(editor.createdAt).toBeInstanceOf(Date);
    expect(JSON.stringify(list)).not.toContain(a.token);
    expect(JSON.stringify(list)).not.toContain(b.token);
  });

  it('is for owners only', async () => {
    const owner = await person(t.db, 'List Owner');
    const editor = await person(t.db, 'List Editor');
    const stranger = await person(t.db, 'List Stranger');
    await join(t.db, owner, editor, 'editor');
    expect((await failure(listInvites(t.db, editor.id, owner.workspaceId))).code).toBe('forbidden');
    expect((await failure(listInvites(t.db, stranger.id, owner.workspaceId))).code).toBe('not_found');
  });
});

describe('revoking an invite link', () => {
  it('revokes that link only; opening it then says it was revoked, and nobody can join with it', async () => {
    const owner = await person(t.db, 'Revoker');
    const guest = await person(t.db, 'Late Guest');
    const revoked = await createInvite(t.db, owner.id, owner.workspaceId, { role: 'editor' });
    const kept = await createInvite(t.db, owner.id, owner.workspaceId, { role: 'viewer' });

    await revokeInvite(t.db, owner.id, owner.workspaceId, { inviteId: hashToken(revoked.token) });
    // A second click changes nothing and is not an error.
    await revokeInvite(t.db, owner.id, owner.workspaceId, { inviteId: hashToken(revoked.token) });

    const listed = await listInvites(t.db, owner.id, owner.workspaceId);
    expect(listed.map((i) => i.id)).toEqual([hashToken(kept.token)]);

    const opened = await failure(previewInvite(t.db, revoked.token));
    expect(opened.code).toBe('not_found');
    expect(opened.message).toMatch(/has been revoked and no longer works/);
    const joined = await failure(acceptInvite(t.db, guest.id, revoked.token));
    expect(joined.message).toMatch(/revoked/);
    expect(await roleIn(t.db, guest.id, owner.workspaceId)).toBeNull();

    expect((await previewInvite(t.db, kept.token)).role).toBe('viewer');
    const [row] = await t.db.query<{ revoked_by: string }>('select revoked_by from invites where id = $1', [
      hashToken(revoked.token)
    ]);
    expect(row!.revoked_by).toBe(owner.id);
  });

  it('is refused to editors and viewers, and the link keeps working', async () => {
    const owner = await person(t.db, 'Boss');
    const editor = await person(t.db, 'Ed');
    const viewer = await person(t.db, 'Vi');
    await join(t.db, owner, editor, 'editor');
    await join(t.db, owner, viewer, 'viewer');
    const invite = await createInvite(t.db, owner.id, owner.workspaceId, { role: 'editor' });
    for (const who of [editor, viewer]) {
      const err = await failure(
        revokeInvite(t.db, who.id, owner.workspaceId, { inviteId: hashToken(invite.token) })
      );
      expect(err.code).toBe('forbidden');
      expect(err.message).toMatch(/only owners/);
      expect((await failure(revokeInvites(t.db, who.id, owner.workspaceId))).code).toBe('forbidden');
    }
    expect((await previewInvite(t.db, invite.token)).role).toBe('editor');
  });

  it("cannot reach another workspace's link, even by its id from a workspace one owns", async () => {
    const victim = await person(t.db, 'Other Owner');
    const mallory = await person(t.db, 'Mallory');
    const theirs = await createInvite(t.db, victim.id, victim.workspaceId, { role: 'editor' });
    const id = hashToken(theirs.token);

    const viaOwn = await failure(revokeInvite(t.db, mallory.id, mallory.workspaceId, { inviteId: id }));
    expect(viaOwn).toMatchObject({
      code: 'not_found',
      message: 'That invitation link was not found in this workspace.'
    });
    const direct = await failure(revokeInvite(t.db, mallory.id, victim.workspaceId, { inviteId: id }));
    expect(direct.code).toBe('not_found');
    expect((await previewInvite(t.db, theirs.token)).role).toBe('editor');
  });

  it('refuses malformed ids with a readable message', async () => {
    const owner = await person(t.db, 'Typo');
    for (const inviteId of ['', 'x', "' or 1=1 --", 'A'.repeat(64)]) {
      const err = await failure(revokeInvite(t.db, owner.id, owner.workspaceId, { inviteId }));
      expect(err.code).toBe('invalid');
    }
  });

  it('revoking all links of a workspace marks them revoked rather than forgetting them', async () => {
    const owner = await person(t.db, 'Sweeper');
    const one = await createInvite(t.db, owner.id, owner.workspaceId, { role: 'editor' });
    await revokeInvites(t.db, owner.id, owner.workspaceId);
    expect(await listInvites(t.db, owner.id, owner.workspaceId)).toEqual([]);
    expect((await failure(previewInvite(t.db, one.token))).message).toMatch(/revoked/);
  });

  it('says when a link expired, and when a link never existed', async () => {
    const owner = await person(t.db, 'Clock');
    const old = await createInvite(
      t.db,
      owner.id,
      owner.workspaceId,
      { role: 'viewer' },
      new Date('2024-03-01T12:00:00Z')
    );
    expect((await failure(previewInvite(t.db, old.token))).message).toMatch(/expired on 8 March 2024/);
    expect((await failure(previewInvite(t.db, 'no-such-token'))).message).toMatch(/not valid/);
  });
});
