// A collaboration server in its own process, so a test can kill -9 it. Database (and REDIS_URL, which makes it one
// of several servers) from the usual environment.
import { loadConfig } from '../../../server/config';
import { openMigratedDb } from '../../../server/db/open';
import { startRelay } from '../../../server/collab/relay-setup';
import { startCollabServer } from './collab';

const config = loadConfig();
const db = await openMigratedDb(config);
await startRelay(db, config.redisUrl); // with REDIS_URL, one of several servers
const server = await startCollabServer(db, Number(process.env.PORT ?? 0));
console.log(`ready ${server.port}`);
