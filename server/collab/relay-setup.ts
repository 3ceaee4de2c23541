// Joins this process to the other Sheaf servers when REDIS_URL is set: rooms relay stored updates and presence, and
// access changes made here reach connections held elsewhere. Without REDIS_URL nothing is started and the server
// works alone, exactly as before.
import type { Db } from '../db/types';
import {
  accessChangedElsewhere,
  everyoneMayHaveChanged,
  onLocalAccessChange
} from '../workspaces/access-changes';
import { RedisRelay } from './redis-relay';
import { roomsFor } from './rooms';

export type RelayHandle = { relay: RedisRelay; stop: () => Promise<void> };

export async function startRelay(db: Db, redisUrl: string | undefined): Promise<RelayHandle | null> {
  if (!redisUrl) return null;
  const relay = await RedisRelay.start({
    url: redisUrl,
    onAccessChange: (userId) => (userId ? accessChangedElsewhere(userId) : everyoneMayHaveChanged()),
    // People here keep their connection but miss other servers' edits until Redis is back: their page says so.
    onDegraded: (down) => roomsFor(db).relayDown(down)
  });
  roomsFor(db).relay = relay;
  const stopAccess = onLocalAccessChange((userId) => relay.publishAccessChange(userId));
  return {
    relay,
    stop: async () => {
      stopAccess();
      await relay.close();
    }
  };
}
