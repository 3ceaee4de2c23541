// The sender: in the background, claims due outbox rows (outbox.ts), works out who each is for (recipient.ts),
// composes it (compose.ts) and sends it by SMTP or webhook, then records the outcome. Never runs inside a request:
// requests only insert rows and `kick()` it. A failing send is retried with backoff; one that throws for a reason
// of ours (a bug, a snapshot gone missing) is logged as a retry too, so nothing is lost and the process stays up.
// `stop()` stops claiming and waits for the sends in flight (each has its own deadline).
import type { SecretBox } from '../connectors/secret-box';
import type { Db } from '../db/types';
import { type ServerConfig } from '../config';
import { compose } from './compose';
import { ContentSchema, describeContent } from './content';
import { sendMail } from './mailer';
import { claimDue, finish, type Outcome, type OutboxRow } from './outbox';
import { resolveRecipient } from './recipient';
import { postWebhook, SendFailed } from './webhook-post';

export type WorkerDeps = {
  getDb: () => Promise<Db>;
  config: ServerConfig;
  secretBox: () => SecretBox;
  unsubscribeKey: Uint8Array;
  /** First retry after this long; each later one waits twice as long. */
  retryBaseMs?: number;
  /** Rows sent at once. */
  batch?: number;
  /** Webhook hosts allowed although local (defaults to CONNECTION_ALLOW_HOSTS). */
  allowHosts?: string[];
};

/** Sends one claimed row; returns what happened and how the log names it. Never throws. */
export async function deliverOne(db: Db, deps: WorkerDeps, row: OutboxRow, now?: Date): Promise<void> {
  const label = { recipient: 'unknown', what: 'message' };
  let outcome: Outcome;
  try {
    const content = ContentSchema.parse(row.content);
    label.what = describeContent(content);
    const resolved = await resolveRecipient(db, deps.secretBox(), row, content);
    label.recipient = 'dropped' in resolved ? resolved.label : resolved.recipient.label;
    if ('dropped' in resolved) outcome = { kind: 'dropped', reason: resolved.dropped };
    else {
      const composed = await compose(
        db,
        { dataDir: deps.config.dataDir, origin: deps.config.appOrigin, unsubscribeKey: deps.unsubscribeKey },
        row.notebook_id,
        content,
        resolved.recipient
      );
      if ('dropped' in composed) outcome = { kind: 'dropped', reason: composed.dropped };
      else {
        if ('mail' in composed) await sendMail(composed.mail, deps.config);
        else if (resolved.recipient.channel === 'webhook')
          await postWebhook(resolved.recipient.url, composed.webhook, deps.allowHosts);
        outcome = { kind: 'sent' };
      }
    }
  } catch (e) {
    if (!(e instanceof SendFailed)) console.error('deliveries: sending failed on our side:', e);
    outcome = {
      kind: 'failed',
      reason:
        e instanceof SendFailed ? e.message : 'Sheaf could not compose the message; it has been logged.',
      retry: e instanceof SendFailed ? e.retry : true
    };
  }
  // The row may be gone meanwhile (unsubscribed: deleted with its subscription); the log still says what happened.
  await finish(db, row, outcome, label, { retryBaseMs: deps.retryBaseMs ?? 60_000, now }).catch(
    (e: unknown) => console.error('deliveries: could not record an attempt:', e)
  );
}

/** One round: claims what is due and sends it. Returns how many rows it handled. */
export async function deliverDue(deps: WorkerDeps, now = new Date()): Promise<number> {
  const db = await deps.getDb();
  const rows = await claimDue(db, deps.batch ?? 5, now);
  await Promise.all(rows.map((r) => deliverOne(db, deps, r, now)));
  return rows.length;
}

export type Worker = { kick: () => void; stop: () => Promise<void> };

export function startDeliveries(deps: WorkerDeps, everyMs = 15_000): Worker {
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  const round = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      // Keep going while rounds find work: a backlog drains without waiting for the timer.
      do {
        again = false;
        try {
          if ((await deliverDue(deps)) > 0) again = true;
        } catch (e) {
          console.error('deliveries: could not claim messages:', e);
        }
      } while (again && !stopped);
    })().finally(() => (running = null));
  };
  const timer = setInterval(round, everyMs);
  timer.unref();
  return {
    kick: () => setImmediate(round),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    }
  };
}
