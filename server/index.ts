// Production entry: one HTTP server for the SvelteKit app (adapter-node's handler), the raw routes and WebSocket
// upgrades, plus the schedule that refreshes published dashboards.
import { createServer } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCollabUpgradeHandler } from './collab/upgrade';
import { roomsFor } from './collab/rooms';
import { loadConfig } from './config';
import { closeDb, getDb } from './db/instance';
import { createRawHandler } from './http/raw-routes';
import { DEMO } from './db/seed';
import { appSecretBox, loadSecretKey } from './connectors/secret-box';
import { createPageHandler } from './publish/page-http';
import { startRefreshSchedule } from './publish/schedule';
import { startRelay } from './collab/relay-setup';
import { startDeliveryService } from './deliveries/start';

const config = loadConfig();

try {
  appSecretBox(config); // refuses to start without SECRET_KEY where a generated key would be lost
  await getDb(config); // migrations and seed run before the first request is accepted
} catch (e) {
  console.error(`Sheaf could not start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

// adapter-node assumes https unless told otherwise, which makes every form post from http://localhost fail its
// CSRF origin check. Unless the operator configured ORIGIN or PROTOCOL_HEADER (a TLS proxy in front), we pass
// the protocol of the actual connection in a header of our own, overwriting any value a client sent.
const OWN_PROTO_HEADER = 'x-sheaf-connection-proto';
const tellProtocol = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
if (tellProtocol) process.env.PROTOCOL_HEADER = OWN_PROTO_HEADER;

const handlerUrl = pathToFileURL(path.resolve('build/handler.js')).href;
const { handler } = (await import(handlerUrl)) as {
  handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
};

const raw = createRawHandler({
  getDb: () => getDb(config),
  dataDir: config.dataDir,
  uploadLimitBytes: config.uploadLimitBytes,
  secretBox: () => appSecretBox(config)
});

// Dashboard pages kept for anonymous readers are sent from here; everything else, and every miss, goes to SvelteKit.
const pages = createPageHandler({ getDb: () => getDb(config) });

const server = createServer((req, res) => {
  if (tellProtocol) req.headers[OWN_PROTO_HEADER] = 'encrypted' in req.socket ? 'https' : 'http';
  if (!raw(req, res) && !pages(req, res, () => handler(req, res))) handler(req, res);
});

const stopSchedule = startRefreshSchedule(() => getDb(config), {
  dataDir: config.dataDir,
  secretBox: () => appSecretBox(config)
});

// Subscriptions, alerts and notices go out in the background (server/deliveries/).
const deliveries = startDeliveryService({
  getDb: () => getDb(config),
  config,
  secretBox: () => appSecretBox(config),
  secretKey: loadSecretKey(config)
});

// Before the first connection, so that every room this server opens is subscribed to the other servers' traffic.
const relay = await startRelay(await getDb(config), config.redisUrl);

const onUpgrade = createCollabUpgradeHandler(() => getDb(config));
server.on('upgrade', (req, socket, head) => {
  if (!onUpgrade(req, socket, head)) socket.destroy();
});

server.listen(config.port, config.host, () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  console.log(`Sheaf is running at http://localhost:${port}`);
  if (config.seedDemo) console.log(`Demo login: ${DEMO.email} / ${DEMO.password}`);
  if (!config.databaseUrl)
    console.log(`Data: ${config.dataDir} (embedded PGlite; set DATABASE_URL for PostgreSQL)`);
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  stopSchedule();
  server.close();
  // Sends in flight finish (each has its deadline); what is still queued waits in the outbox for the next start.
  await deliveries.stop().catch((e) => console.error('deliveries: stopping failed:', e));
  server.closeAllConnections();
  // Everything received is already stored; this folds the logs into snapshots before the database closes.
  await roomsFor(await getDb(config))
    .closeAll()
    .catch((e) => console.error('collab: shutdown compaction failed:', e));
  await relay?.stop().catch(() => {});
  await closeDb().catch(() => {});
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
