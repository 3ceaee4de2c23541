import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNotebook,
  deleteNotebook,
  listNotebooks,
  renameNotebook,
  restoreNotebook
} from '../../server/notebooks/notebooks';
import { requireNotebookRole } from '../../server/workspaces/access';
import { acceptInvite, createInvite, previewInvite } from '../../server/workspaces/invites';
import { changeRole, listMembers, listWorkspaces, removeMember } from '../../server/workspaces/workspaces';
import { join, person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
beforeAll(async () => {
  t = await freshDb();
});
afterAll(async () => t.cleanup());

const codeOf = (p: Promise<unknown>) => p.then(() => 'ok').catch((e) => e.code as string);

describe('workspace roles', () => {
  it('lets a viewer read but not rename, delete, restore or create', async () => {
    const owner = await person(t.db, 'Owner');
    const viewer = await person(t.db, 'Viewer');
    await join(t.db, owner, viewer, 'viewer');
    const nb = await createNotebook(t.db, owner.id, owner.workspaceId, { title: 'Q3 revenue' });

    expect((await listNotebooks(t.db, viewer.id, owner.workspaceId)).map((n) => n.title)).toEqual([
      'Q3 revenue'
    ]);
    expect((await requireNotebookRole(t.db, viewer.id, nb.id, 'viewer')).role).toBe('viewer');

    const rename = await renameNotebook(t.db, viewer.id, nb.id, { title: 'Hacked' }).catch((e) => e);
    expect(rename.code).toBe('forbidden');
    expect(rename.message).toMatch(/viewer/);
    expect(await codeOf(deleteNotebook(t.db, viewer.id, nb.id))).toBe('forbidden');
    expect(await codeOf(restoreNotebook(t.db, viewer.id, nb.id))).toBe('forbidden');
    expect(await codeOf(createNotebook(t.db, viewer.id, owner.workspaceId, { title: 'x' }))).toBe(
      'forbidden'
    );
    expect((await listNotebooks(t.db, owner.id, owner.workspaceId)).map((n) => n.title)).toEqual([
      'Q3 revenue'
    ]);
  });

  it('gives a non-member "not found" for everything, so they learn nothing', async () => {
    const owner = await person(t.db);
    const stranger = await person(t.db);
    const nb = await createNotebook(t.db, owner.id, owner.workspaceId, { title: 'Secret plans' });
    expect(await codeOf(listNotebooks(t.db, stranger.id, owner.workspaceId))).toBe('not_found');
    expect(await codeOf(requireNotebookRole(t.db, stranger.id, nb.id, 'viewer'))).toBe('not_found');
    expect(await codeOf(renameNotebook(t.db, stranger.id, nb.id, { title: 'x' }))).toBe('not_found');
    expect(await codeOf(deleteNotebook(t.db, stranger.id, nb.id))).toBe('not_found');
    expect(await codeOf(listMembers(t.db, stranger.id, owner.workspaceId))).toBe('not_found');
    expect(await codeOf(createInvite(t.db, stranger.id, owner.workspaceId, { role: 'editor' }))).toBe(
      'not_found'
    );
  });

  it('lets an editor create and rename; only owners invite and change roles', async () => {
    const owner = await person(t.db);
    const editor = await person(t.db);
    await join(t.db, owner, editor, 'editor');
    const nb = await createNotebook(t.db, editor.id, owner.workspaceId, { title: 'Draft' });
    await renameNotebook(t.db, editor.id, nb.id, { title: 'Final' });
    expect((await listNotebooks(t.db, owner.id, owner.workspaceId)).map((n) => n.title)).toEqual(['Final']);
    expect(await codeOf(createInvite(t.db, editor.id, owner.workspaceId, { role: 'viewer' }))).toBe(
      'forbidden'
    );
    expect(
      await codeOf(changeRole(t.db, editor.id, owner.workspaceId, { userId: editor.id, role: 'owner' }))
    ).toBe('forbidden');
    await changeRole(t.db, owner.id, owner.workspaceId, { userId: editor.id, role: 'viewer' });
    expect(await codeOf(renameNotebook(t.db, editor.id, nb.id, { title: 'Again' }))).toBe('forbidden');
  });

  it('keeps at least one owner', async () => {
    const owner = await person(t.db);
    const err = await changeRole(t.db, owner.id, owner.workspaceId, {
      userId: owner.id,
      role: 'editor'
    }).catch((e) => e);
    expect(err.code).toBe('conflict');
    expect(err.message).toMatch(/at least one owner/);
    expect(await codeOf(removeMember(t.db, owner.id, owner.workspaceId, owner.id))).toBe('conflict');
  });

  it('invites by link: the link names the workspace and role, joins once, and expires', async () => {
    const owner = await person(t.db, 'Inviter');
    const guest = await person(t.db);
    const invite = await createInvite(t.db, owner.id, owner.workspaceId, { role: 'editor' });
    const preview = await previewInvite(t.db, invite.token);
    expect(preview).toMatchObject({ workspaceId: owner.workspaceId, role: 'editor', invitedBy: 'Inviter' });
    await acceptInvite(t.db, guest.id, invite.token);
    await acceptInvite(t.db, guest.id, invite.token); // idempotent
    const spaces = await listWorkspaces(t.db, guest.id);
    expect(spaces.map((w) => [w.id, w.role])).toContainEqual([owner.workspaceId, 'editor']);
    const later = new Date(Date.now() + 8 * 24 * 3600 * 1000);
    expect(await codeOf(previewInvite(t.db, invite.token, later))).toBe('not_found');
    expect(await codeOf(previewInvite(t.db, 'no-such-token'))).toBe('not_found');
    expect(await codeOf(createInvite(t.db, owner.id, owner.workspaceId, { role: 'owner' }))).toBe('invalid');
  });
});
