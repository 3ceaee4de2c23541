// Taking turns on a notebook's dashboard with another server (refresh-turns.ts), on either database: a refresh
// asked for while another server refreshes waits for the notebook's turn, then finds that refresh done and returns
// it instead of building again; housekeeping removes an unpublished snapshot folder only in the notebook's turn, so
// a first publish under way (its folder built, its publication row not yet written) keeps its folder.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretBox } from '../../server/connectors/secret-box';
import type { Db } from '../../server/db/types';
import { createNotebook } from '../../server/notebooks/notebooks';
import { purgeUnpublishedSnapshots } from '../../server/publish/cleanup';
import { publicationRow } from '../../server/publish/publication-store';
import type { PublicationStatus } from '../../server/publish/publication-view';
import { refreshPublication } from '../../server/publish/publications';
import { turnLock } from '../../server/publish/refresh-turns';
import { publicationDir } from '../../server/publish/snapshot';
import { person } from './helpers/people';
import { freshDb, type TestDb } from './helpers/test-db';

let t: TestDb;
let dataDir: string;
beforeAll(async () => {
  t = await freshDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-turns-'));
}, 60_000);
afterAll(async () => {
  await t?.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe('refreshPublication', () => {
  it("joins a refresh another server finished while it waited for the notebook's turn", async () => {
    const ann = await person(t.db);
    const nb = await createNotebook(t.db, ann.id, ann.workspaceId, {});
    // A publication whose frozen document cannot be built: a refresh that ran here would record a failure.
    await t.db.query(
      `insert into publications (notebook_id, slug, visibility, schedule, published_by, doc_state, snapshot_id,
                                 refreshed_at)
       values ($1, $2, 'public', 'off', $3, $4, 'theirs-old', now() - interval '1 hour')`,
      [nb.id, crypto.randomUUID(), ann.id, Buffer.from([0])]
    );
    const deps = { dataDir, secretBox: () => secretBox(Buffer.alloc(32)) };
    const asked: string[] = [];
    const watched: Db = { ...t.db, exclusively: (key, fn) => (asked.push(key), t.db.exclusively(key, fn)) };
    let ours: Promise<unknown> | undefined;
    await t.db.exclusively(turnLock(nb.id), async () => {
      // Another server's refresh holds the turn; ours is asked for now and waits for it…
      ours = refreshPublication(watched, deps, nb.id);
      while (!asked.includes(turnLock(nb.id))) await new Promise((r) => setTimeout(r, 20));
      // …while theirs finishes.
      await t.db.query(
        `update publications set snapshot_id = 'theirs-new', refreshed_at = now() where notebook_id = $1`,
        [nb.id]
      );
    });
    const status = (await ours) as PublicationStatus;
    const row = (await publicationRow(t.db, nb.id))!;
    expect(row.snapshot_id).toBe('theirs-new');
    expect(row.refresh_error).toBeNull();
    expect(status.refreshError).toBeNull();
    expect(status.refreshedAt).toBe(new Date(row.refreshed_at!).toISOString());
  });
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
