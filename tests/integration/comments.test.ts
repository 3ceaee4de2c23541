// Comments over the real database and collaboration server: who may comment, edit, delete and resolve; the
// limits; mentions only of members and the inbox; threads of a deleted cell; the live "comments changed" signal,
// which only the server can send.
import { describe, expect, it } from 'vitest';
import { COMMENT_MAX_CHARS, COMMENTS_PER_MINUTE } from '../../cells/comments';
import { deleteCell, orderedCells } from '../../cells/document';
import {
  deleteComment,
  editComment,
  listComments,
  reply,
  setResolved,
  startThread,
  type CommentId,
  type ThreadId
} from '../../server/comments/comments';
import { markMentionsRead, mentionsOf } from '../../server/comments/mentions';
import { roomsFor } from '../../server/collab/rooms';
import { createNotebook } from '../../server/notebooks/notebooks';
import { onCommentsChanged } from '../../src/lib/collab/comments-signal';
import { connect, rawSocket, synced, until } from './helpers/collab';
import { join, person } from './helpers/people';
import { collabSuite } from './helpers/collab-suite';

const suite = collabSuite();

async function team() {
  const owner = await person(suite.db, 'Ada');
  const editor = await person(suite.db, 'Bob');
  const viewer = await person(suite.db, 'Vera');
  const stranger = await person(suite.db, 'Mallory');
  await join(suite.db, owner, editor, 'editor');
  await join(suite.db, owner, viewer, 'viewer');
  const nb = await createNotebook(suite.db, owner.id, owner.workspaceId, { title: 'Talk' }, [
    { kind: 'sql', name: 'orders', source: 'select * from orders' },
    { kind: 'text', source: 'Notes' }
  ]);
  const ids = await roomsFor(suite.db).withRoom(nb.id, async (room) =>
    orderedCells(room.doc).map((c) => c.id)
  );
  return { owner, editor, viewer, stranger, nb, cells: ids };
}

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return { status: (e as { status?: number }).status, message: (e as Error).message };
  }
  throw new Error('expected a failure');
};

describe('comments', () => {
  it('a viewer comments and mentions the owner; the owner is told live and finds it in the inbox', async () => {
    const { owner, viewer, nb, cells } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    await synced(a);
    let signals = 0;
    onCommentsChanged(a.provider, () => signals++);
    const before = signals;
    const { threadId } = await startThread(suite.db, viewer.id, nb.id, {
      cellId: cells[0],
      body: `Is this right, @{${owner.id}}?`
    });
    await until(() => signals > before, 'the comments-changed signal');

    const list = await listComments(suite.db, owner.id, nb.id);
    expect(list.threads).toHaveLength(1);
    expect(list.threads[0]).toMatchObject({ id: threadId, cellId: cells[0], anchor: null, resolvedAt: null });
    expect(list.threads[0]!.comments[0]).toMatchObject({ authorName: 'Vera', authorId: viewer.id });
    expect(list.members.map((m) => m.name).sort()).toEqual(['Ada', 'Bob', 'Vera']);

    const inbox = await mentionsOf(suite.db, owner.id, owner.workspaceId);
    expect(inbox).toHaveLength(1);
    expect(inbox[0]).toMatchObject({
      notebookId: nb.id,
      cellId: cells[0],
      authorName: 'Vera',
      body: 'Is this right, @Ada?',
      read: false
    });
    expect(await mentionsOf(suite.db, viewer.id, owner.workspaceId)).toEqual([]);
    await markMentionsRead(suite.db, viewer.id, { commentIds: [inbox[0]!.commentId] }); // not hers: no effect
    expect((await mentionsOf(suite.db, owner.id, owner.workspaceId))[0]!.read).toBe(false);
    await markMentionsRead(suite.db, owner.id, { commentIds: [inbox[0]!.commentId] });
    expect((await mentionsOf(suite.db, owner.id, owner.workspaceId))[0]!.read).toBe(true);

    await reply(suite.db, owner.id, nb.id, threadId, { body: 'Yes.' });
    await setResolved(suite.db, viewer.id, nb.id, threadId, { resolved: true });
    const after = (await listComments(suite.db, viewer.id, nb.id)).threads[0]!;
    expect(after.comments.map((c) => c.body)).toEqual([`Is this right, @{${owner.id}}?`, 'Yes.']);
    expect(after.resolvedBy).toBe(viewer.id);
    await setResolved(suite.db, owner.id, nb.id, threadId, { resolved: false });
    expect((await listComments(suite.db, viewer.id, nb.id)).threads[0]!.resolvedAt).toBeNull();
  });

  it('non-members get not found; threads and comments of another notebook are not found', async () => {
    const { owner, stranger, nb, cells } = await team();
    expect((await failure(listComments(suite.db, stranger.id, nb.id))).status).toBe(404);
    expect(
      (await failure(startThread(suite.db, stranger.id, nb.id, { cellId: cells[0], body: 'hi' }))).status
    ).toBe(404);
    const { threadId } = await startThread(suite.db, owner.id, nb.id, { cellId: cells[0], body: 'mine' });
    expect((await failure(reply(suite.db, stranger.id, nb.id, threadId, { body: 'x' }))).status).toBe(404);
    expect((await failure(mentionsOf(suite.db, stranger.id, owner.workspaceId))).status).toBe(404);
    // Mallory's own notebook does not reach Ada's thread.
    const other = await createNotebook(suite.db, stranger.id, stranger.workspaceId, { title: 'Mine' });
    expect((await failure(reply(suite.db, stranger.id, other.id, threadId, { body: 'x' }))).status).toBe(404);
    expect(
      (await failure(setResolved(suite.db, stranger.id, other.id, threadId, { resolved: true }))).status
    ).toBe(404);
  });

  it('only the author edits or deletes a comment; deleting the last one removes the thread', async () => {
    const { owner, editor, viewer, nb, cells } = await team();
    const { threadId } = await startThread(suite.db, editor.id, nb.id, {
      cellId: cells[1],
      body: 'Typo here'
    });
    await reply(suite.db, viewer.id, nb.id, threadId, { body: 'Where?' });
    const [first, second] = (await listComments(suite.db, owner.id, nb.id)).threads[0]!.comments;
    const firstId = first!.id as CommentId;
    const secondId = second!.id as CommentId;
    expect((await failure(editComment(suite.db, owner.id, nb.id, firstId, { body: 'no' }))).status).toBe(403);
    expect((await failure(deleteComment(suite.db, viewer.id, nb.id, firstId))).status).toBe(403);
    await editComment(suite.db, editor.id, nb.id, firstId, { body: 'Typo in line 1' });
    const edited = (await listComments(suite.db, owner.id, nb.id)).threads[0]!.comments[0]!;
    expect(edited.body).toBe('Typo in line 1');
    expect(edited.editedAt).not.toBeNull();
    await deleteComment(suite.db, editor.id, nb.id, firstId);
    expect((await listComments(suite.db, owner.id, nb.id)).threads[0]!.comments.map((c) => c.id)).toEqual([
      secondId
    ]);
    await deleteComment(suite.db, viewer.id, nb.id, secondId);
    expect((await listComments(suite.db, owner.id, nb.id)).threads).toEqual([]);
    expect(
      (await failure(reply(suite.db, owner.id, nb.id, threadId as ThreadId, { body: 'x' }))).status
    ).toBe(404);
  });

  it('refuses empty and too long comments, mentions of non-members, and cells that do not exist', async () => {
    const { owner, viewer, stranger, nb, cells } = await team();
    const long = await failure(
      startThread(suite.db, viewer.id, nb.id, { cellId: cells[0], body: 'x'.repeat(COMMENT_MAX_CHARS + 1) })
    );
    expect(long.status).toBe(400);
    expect(long.message).toContain('5,000');
    await startThread(suite.db, viewer.id, nb.id, { cellId: cells[0], body: 'x'.repeat(COMMENT_MAX_CHARS) });
    expect(
      (await failure(startThread(suite.db, viewer.id, nb.id, { cellId: cells[0], body: '  ' }))).status
    ).toBe(400);
    const outsider = await failure(
      startThread(suite.db, viewer.id, nb.id, { cellId: cells[0], body: `@{${stranger.id}} look` })
    );
    expect(outsider).toMatchObject({
      status: 400,
      message: 'You can mention only members of this workspace.'
    });
    expect(await mentionsOf(suite.db, stranger.id, stranger.workspaceId)).toEqual([]);
    expect(
      (await failure(startThread(suite.db, owner.id, nb.id, { cellId: 'no-such-cell', body: 'hi' }))).status
    ).toBe(404);
    const anchor = { start: 'A'.repeat(300), end: 'AA', quote: 'x' };
    expect(
      (await failure(startThread(suite.db, owner.id, nb.id, { cellId: cells[0], body: 'hi', anchor }))).status
    ).toBe(400);
  });

  it(`limits each person to ${COMMENTS_PER_MINUTE} comments a minute`, async () => {
    const { owner, viewer, nb, cells } = await team();
    const { threadId } = await startThread(suite.db, viewer.id, nb.id, { cellId: cells[0], body: 'first' });
    const posts = Array.from({ length: COMMENTS_PER_MINUTE }, (_, i) =>
      reply(suite.db, viewer.id, nb.id, threadId, { body: `reply ${i}` }).then(
        () => 'ok',
        (e: { status?: number }) => e.status
      )
    );
    const outcomes = await Promise.all(posts);
    // The first post counted too: exactly one of the parallel replies is over the limit.
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(COMMENTS_PER_MINUTE - 1);
    expect(outcomes.filter((o) => o === 429)).toHaveLength(1);
    // Someone else's budget is their own.
    await reply(suite.db, owner.id, nb.id, threadId, { body: 'still fine' });
  });

  it("a deleted cell's threads stay listed, anchored to the cell id", async () => {
    const { owner, editor, nb, cells } = await team();
    const anchor = { start: 'AQID', end: 'AQIE', quote: 'orders' };
    await startThread(suite.db, owner.id, nb.id, { cellId: cells[0], body: 'on orders', anchor });
    const b = connect(suite.port, nb.id, editor.token);
    await synced(b);
    deleteCell(b.doc, cells[0]!);
    await until(() => orderedCells(b.doc).length === 1, 'the delete');
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    await until(() => orderedCells(room.doc).length === 1, 'the delete to reach the server');
    await room.settled();
    const threads = (await listComments(suite.db, owner.id, nb.id)).threads;
    expect(threads).toHaveLength(1);
    expect(threads[0]).toMatchObject({ cellId: cells[0], anchor });
    // New threads cannot start there, but the old one can still be answered.
    expect(
      (await failure(startThread(suite.db, owner.id, nb.id, { cellId: cells[0]!, body: 'x' }))).status
    ).toBe(404);
    await reply(suite.db, editor.id, nb.id, threads[0]!.id as ThreadId, { body: 'It was removed.' });
  });

  it('a client cannot send the comments-changed signal to others', async () => {
    const { owner, viewer, nb } = await team();
    const a = connect(suite.port, nb.id, owner.token);
    await synced(a);
    let signals = 0;
    onCommentsChanged(a.provider, () => signals++);
    const start = signals;
    const ws = await rawSocket(suite.port, nb.id, viewer.token);
    const room = (await roomsFor(suite.db).peek(nb.id))!;
    const malformed = room.stats.malformed;
    ws.send(new Uint8Array([100]));
    await until(() => room.stats.malformed > malformed, 'the frame to be refused');
    ws.close();
    expect(signals).toBe(start);
  });
});
