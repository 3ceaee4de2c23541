// Starts this server's part in deliveries: the sender (worker.ts), woken when something is queued here and every
// 15 s for what other servers queued or what is due for a retry, and the minute timer that queues daily and weekly
// subscriptions. Runs with or without mail configured (webhooks need no SMTP; mail waits, logged, until it is).
// `stop` stops both and waits for the sends in flight.
import type { ServerConfig } from '../config';
import type { SecretBox } from '../connectors/secret-box';
import type { Db } from '../db/types';
import { setKick } from './kick';
import { queueDueSubscriptions } from './subscription-schedule';
import { unsubscribeKey } from './unsubscribe-token';
import { startDeliveries } from './worker';

export function startDeliveryService(opts: {
  getDb: () => Promise<Db>;
  config: ServerConfig;
  secretBox: () => SecretBox;
  secretKey: Uint8Array;
}): { stop: () => Promise<void> } {
  const worker = startDeliveries({
    getDb: opts.getDb,
    config: opts.config,
    secretBox: opts.secretBox,
    unsubscribeKey: unsubscribeKey(opts.secretKey),
    retryBaseMs: opts.config.deliveryRetryMs
  });
  setKick(worker.kick);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void opts
      .getDb()
      .then((db) => queueDueSubscriptions(db))
      .then((n) => n > 0 && worker.kick())
      .catch((e) => console.error('deliveries: could not queue scheduled subscriptions:', e))
      .finally(() => (busy = false));
  }, 60_000);
  timer.unref();
  worker.kick(); // what was left from before a restart
  return {
    async stop() {
      clearInterval(timer);
      setKick(undefined);
      await worker.stop();
    }
  };
}
