// Mentions and replies by mail through the same outbox and a real SMTP server: a mentioned member gets one mail,
// earlier writers in the thread get a reply notice, nobody hears of their own comment, an edit mails nobody, and
// a person who turned the setting off gets nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderedCells } from '../../cells/document';
import { roomsFor } from '../../server/collab/rooms';
import {
  editComment,
  listComments,
  reply,
  startThread,
  type CommentId
} from '../../server/comments/comments';
import { deliveryLog } from '../../server/deliveries/delivery-log';
import { saveNotificationSettings } from '../../server/deliveries/notification-settings';
import { createNotebook } from '../../server/notebooks/notebooks';
import { deliveryFixture, ORIGIN, type DeliveryFixture } from './helpers/delivery-fixture';
import { bodyText } from './helpers/mime';
import { join, person, verifyEmail } from './helpers/people';

let f: DeliveryFixture;
beforeAll(async () => {
  f = await deliveryFixture();
}, 120_000);
afterAll(async () => {
  await roomsFor(f.t.db).closeAll();
  await f?.cleanup();
});

describe('comment mail', () => {
  it('mails mentions and replies, not the author, not edits, and respects the setting', async () => {
    const ada = await person(f.t.db, 'Ada');
    await verifyEmail(f.t.db, ada);
    const bob = await person(f.t.db, 'Bob');
    await verifyEmail(f.t.db, bob);
    const cy = await person(f.t.db, 'Cy');
    await verifyEmail(f.t.db, cy);
    await join(f.t.db, ada, bob, 'viewer');
    await join(f.t.db, ada, cy, 'editor');
    const nb = await createNotebook(f.t.db, ada.id, ada.workspaceId, { title: 'Talk' }, [
      { kind: 'text', source: 'Notes' }
    ]);
    const [cellId] = await roomsFor(f.t.db).withRoom(nb.id, async (room) =>
      orderedCells(room.doc).map((c) => c.id)
    );

    const { threadId } = await startThread(f.t.db, ada.id, nb.id, {
      cellId,
      body: `Look @{${bob.id}}, numbers`
    });
    await f.drain();
    expect(f.smtp.received.map((m) => [m.to[0], m.mail.headers.get('subject')])).toEqual([
      [bob.email, 'Ada mentioned you in Talk']
    ]);
    const text = bodyText(f.smtp.received[0]!.mail, 'text/plain');
    expect(text).toContain('Look @Bob, numbers');
    expect(text).toContain(`${ORIGIN}/n/${nb.id}?thread=${threadId}`);

    await saveNotificationSettings(f.t.db, bob.id, { mentionEmails: false });
    await reply(f.t.db, cy.id, nb.id, threadId, { body: `Agreed @{${bob.id}}` });
    await f.drain();
    // Ada wrote earlier in the thread: a reply notice. Bob turned mail off. Cy wrote it.
    expect(f.smtp.received.slice(1).map((m) => [m.to[0], m.mail.headers.get('subject')])).toEqual([
      [ada.email, 'Cy replied in a thread on Talk']
    ]);

    const [first] = (await listComments(f.t.db, ada.id, nb.id)).threads[0]!.comments;
    await editComment(f.t.db, ada.id, nb.id, first!.id as CommentId, { body: `Edited @{${cy.id}}` });
    await f.drain();
    expect(f.smtp.received).toHaveLength(2);

    // The notebook's delivery log is its editors' (Bob is a viewer).
    expect((await deliveryLog(f.t.db, ada.id, nb.id)).map((l) => [l.outcome, l.what])).toEqual([
      ['sent', 'reply'],
      ['sent', 'mention']
    ]);
    await expect(deliveryLog(f.t.db, bob.id, nb.id)).rejects.toMatchObject({ code: 'forbidden' });
  }, 120_000);
});
