// What the delivery tests share: a real database and data folder, a published sales dashboard (text, a chart, a
// table and a number over an uploaded CSV), and the sender's dependencies pointed at a local SMTP server.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../server/config';
import { secretBox } from '../../../server/connectors/secret-box';
import { deliverDue, type WorkerDeps } from '../../../server/deliveries/worker';
import { deleteFile } from '../../../server/files/files';
import type { NotebookId } from '../../../server/ids';
import { publish } from '../../../server/publish/publications';
import { person, verifyEmail } from './people';
import { salesNotebook } from './sales-notebook';
import { smtpSink, type SmtpSink } from './smtp-sink';
import { freshDb, type TestDb } from './test-db';
import { uploadCsv } from './upload';

export { SALES } from './sales-notebook';
export const ORIGIN = 'http://sheaf.test';

export type DeliveryFixture = {
  t: TestDb;
  dataDir: string;
  smtp: SmtpSink;
  box: ReturnType<typeof secretBox>;
  deps: () => { dataDir: string; secretBox: () => ReturnType<typeof secretBox> };
  worker: WorkerDeps;
  unsubscribeKey: Buffer;
  /** Sends everything due (retries included: the backoff is a millisecond here). */
  drain: () => Promise<number>;
  cleanup: () => Promise<void>;
};

export async function deliveryFixture(): Promise<DeliveryFixture> {
  const t = await freshDb();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sheaf-deliveries-'));
  const smtp = await smtpSink();
  // The features read mail settings and the allow list from the environment, as the server does.
  process.env.SMTP_URL = smtp.url;
  process.env.MAIL_FROM = 'Sheaf <sheaf@example.test>';
  process.env.CONNECTION_ALLOW_HOSTS = '127.0.0.1';
  const box = secretBox(randomBytes(32));
  const unsubscribeKey = randomBytes(32);
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, ORIGIN });
  const worker: WorkerDeps = {
    getDb: async () => t.db,
    config,
    secretBox: () => box,
    unsubscribeKey,
    retryBaseMs: 1,
    allowHosts: ['127.0.0.1']
  };
  const drain = async () => {
    let n = 0;
    for (let round = 0; round < 20; round++) {
      const sent = await deliverDue(worker, new Date(Date.now() + 1000));
      if (sent === 0) break;
      n += sent;
    }
    return n;
  };
  return {
    t,
    dataDir,
    smtp,
    box,
    deps: () => ({ dataDir, secretBox: () => box }),
    worker,
    unsubscribeKey,
    drain,
    async cleanup() {
      await smtp.stop();
      await t.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    }
  };
}

/** Ann's sales dashboard, published with an hourly schedule; Ann's address is verified. */
export async function salesDashboard(f: DeliveryFixture) {
  const { ann, nb } = await salesNotebook(f.t.db, f.dataDir, { owner: 'Delivering Ann' });
  await verifyEmail(f.t.db, ann);
  const status = await publish(f.t.db, f.deps(), ann.id, nb.id, {
    visibility: 'members',
    schedule: 'hourly'
  });
  return { ann, nb, slug: status.slug };
}

/** Replaces the workspace's sales.csv (null: removes it, so refreshes fail). */
export async function replaceSales(
  f: DeliveryFixture,
  ann: Awaited<ReturnType<typeof person>>,
  csv: string | null
) {
  const [old] = await f.t.db.query<{ id: string }>(
    "select id from files where workspace_id = $1 and table_name = 'sales'",
    [ann.workspaceId]
  );
  if (old) await deleteFile(f.t.db, f.dataDir, ann.id, old.id);
  if (csv !== null) await uploadCsv(f.t.db, f.dataDir, ann, 'sales.csv', csv);
}

export async function logOf(f: DeliveryFixture, notebookId: NotebookId) {
  return f.t.db.query<{ outcome: string; recipient: string; what: string; reason: string | null }>(
    'select outcome, recipient, what, reason from delivery_log where notebook_id = $1 order by id',
    [notebookId]
  );
}
