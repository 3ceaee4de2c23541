// Housekeeping of snapshot folders (server/publish/cleanup.ts) against a publish in progress: a first publish builds
// its folder before its publication row exists, so housekeeping — here or on another server — waits for the
// notebook's turn and checks again, and removes only folders that are still unpublished then.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotebook } from '../../server/notebooks/notebooks';
import { purgeUnpublishedSnapshots } from '../../server/publish/cleanup';
import type { Db } from '../../server/db/types';
import { turnLock } from '../../server/publish/refresh-turns';
import { publicationDir } from '../../server/publish/snapshot';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
let dataDir: string;
beforeAll(async () => {
  t = await freshDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-cleanup-'));
}, 60_000);
afterAll(async () => {
  await t?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe('purgeUnpublishedSnapshots', () => {
  it('leaves the folder of a first publish under way, and removes unpublished ones', async () => {
    const ann = await person(t.db);
    const publishing = await createNotebook(t.db, ann.id, ann.workspaceId, {});
    const abandoned = await createNotebook(t.db, ann.id, ann.workspaceId, {});
    await mkdir(path.join(publicationDir(dataDir, abandoned.id), 'old'), { recursive: true });

    let finish = () => {};
    const building = new Promise<void>((r) => (finish = r));
    let started = () => {};
    const folderMade = new Promise<void>((r) => (started = r));
    // A first publish in its turn, as another server runs it: the folder is built, the publication row not
    // written yet.
    const publish = t.db.exclusively(turnLock(publishing.id), async () => {
      await mkdir(path.join(publicationDir(dataDir, publishing.id), 'new.incoming'), { recursive: true });
      started();
      await building;
      await t.db.query(
        `insert into publications (notebook_id, slug, visibility, schedule, published_by, doc_state)
         values ($1, $2, 'public', 'off', $3, $4)`,
        [publishing.id, crypto.randomUUID(), ann.id, Buffer.from([0])]
      );
    });
    // Housekeeping asks for the notebook's turn before touching its folder; the publish goes on once it waits.
    await folderMade;
    const asked: string[] = [];
    const watched: Db = { ...t.db, exclusively: (key, fn) => (asked.push(key), t.db.exclusively(key, fn)) };
    let settled = false;
    const purge = purgeUnpublishedSnapshots(watched, dataDir).finally(() => (settled = true));
    while (!asked.includes(turnLock(publishing.id))) {
      if (settled) throw new Error('housekeeping went ahead without waiting for the publish');
      await new Promise((r) => setTimeout(r, 20));
    }
    finish();
    await publish;
    expect(await purge).toBe(1);
    expect(await readdir(path.join(dataDir, 'publications'))).toEqual([publishing.id]);
  });
});
