// A collaboration server in its own process, so a test can kill -9 it. Database from the usual environment.
import { loadConfig } from '../../../server/config';
import { openMigratedDb } from '../../../server/db/open';
import { startCollabServer } from './collab';

const db = await openMigratedDb(loadConfig());
const server = await startCollabServer(db, Number(process.env.PORT ?? 0));
console.log(`ready ${server.port}`);
