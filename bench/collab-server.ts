// A collaboration server for bench:collab, in its own process so its CPU and memory can be read from /proc.
// The first one (BENCH_SCHEMA unset) sets up N editors and M notebooks; with --servers, the others open the same
// PostgreSQL schema, and all of them join each other through Redis (REDIS_URL) as Sheaf servers do. Each serves
// /collab on one port and a plain WebSocket echo (the baseline) on another.
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { signUp } from '../server/auth/accounts';
import { startRelay } from '../server/collab/relay-setup';
import { roomProbe } from '../server/collab/room';
import { createCollabUpgradeHandler } from '../server/collab/upgrade';
import { openMigratedDb } from '../server/db/open';
import { createNotebook } from '../server/notebooks/notebooks';
import { acceptInvite, createInvite } from '../server/workspaces/invites';
import { editKey } from './edit-key';
import { watchGc, type GcPauses } from './gc-pauses';

const clients = Number(process.env.BENCH_CLIENTS ?? 50);
const notebooks = Number(process.env.BENCH_NOTEBOOKS ?? 1);
const cells = Number(process.env.BENCH_CELLS ?? 10);
const joining = process.env.BENCH_SCHEMA; // set: another server's setup, opened as is

const url = process.env.BENCH_DATABASE_URL;
const schema = url ? (joining ?? `bench_${Date.now().toString(36)}`) : undefined;
const db = await openMigratedDb({
  databaseUrl: url,
  databaseSchema: schema,
  dataDir: await mkdtemp(path.join(tmpdir(), 'sheaf-bench-')),
  migrationsDir: path.resolve('migrations')
});

async function setUp() {
  const password = 'bench password';
  const owner = await signUp(db, { email: `owner.${Date.now()}@bench.test`, name: 'Owner', password });
  const notebookIds: string[] = [];
  for (let i = 0; i < notebooks; i++) {
    const blank = Array.from({ length: cells }, () => ({ kind: 'text' as const }));
    notebookIds.push(
      (await createNotebook(db, owner.user.id, owner.workspaceId, { title: `Bench ${i}` }, blank)).id
    );
  }
  const tokens = [owner.token];
  const invite = await createInvite(db, owner.user.id, owner.workspaceId, { role: 'editor' });
  for (let i = 1; i < clients; i++) {
    const u = await signUp(db, {
      email: `editor${i}.${Date.now()}@bench.test`,
      name: `Editor ${i}`,
      password
    });
    await acceptInvite(db, u.user.id, invite.token);
    tokens.push(u.token);
  }
  return { notebookIds, tokens };
}
const made = joining ? { notebookIds: [], tokens: [] } : await setUp();
// Before the first connection, as server/index.ts does: every room opened here hears the other servers.
await startRelay(db, process.env.REDIS_URL);

const http = createServer((_req, res) => res.writeHead(404).end());
const onUpgrade = createCollabUpgradeHandler(async () => db);
http.on('upgrade', (req, socket, head) => {
  if (!onUpgrade(req, socket, head)) socket.destroy();
});
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));

const echo = new WebSocketServer({ port: 0, host: '127.0.0.1' });
echo.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
await new Promise<void>((r) => echo.on('listening', r));

console.log(
  JSON.stringify({
    port: (http.address() as AddressInfo).port,
    echoPort: (echo.address() as AddressInfo).port,
    ...made,
    schema,
    database: db.kind
  })
);

/** What the server saw between the bench's SIGUSR1 and SIGUSR2. */
export type ServerReport = {
  loopP50: number;
  loopP99: number;
  loopMax: number;
  gc: GcPauses;
  queuedMs: number[];
  storeMs: number[];
  applyMs: number[];
  afterMs: number[];
  batchSizes: number[];
  compactionsMs: number[];
  /** Each typed character (key as the editors', time): admitted from its author, and applied here. */
  received: number[];
  applied: number[];
};
const empty = (): Omit<ServerReport, 'loopP50' | 'loopP99' | 'loopMax' | 'gc'> => ({
  queuedMs: [],
  storeMs: [],
  applyMs: [],
  afterMs: [],
  batchSizes: [],
  compactionsMs: [],
  received: [],
  applied: []
});
let seen = empty();
let counting = false;
roomProbe.flushed = (t) => {
  if (!counting) return;
  seen.queuedMs.push(...t.queuedMs);
  seen.storeMs.push(t.storeMs);
  seen.applyMs.push(t.applyMs);
  seen.afterMs.push(t.afterMs);
  seen.batchSizes.push(t.queuedMs.length);
};
roomProbe.moved = (stage, tr) => {
  if (!counting) return;
  const at = performance.timeOrigin + performance.now();
  const into = seen[stage];
  for (const [client, after] of tr.afterState) {
    for (let clock = tr.beforeState.get(client) ?? 0; clock < after; clock++)
      into.push(editKey(client, clock), at);
  }
};
roomProbe.compacted = (ms) => {
  if (counting) seen.compactionsMs.push(ms);
};

// How long work waited for this process's event loop (PGlite runs inside it): the bench asks on SIGUSR2.
const loop = monitorEventLoopDelay({ resolution: 5 });
const gc = watchGc();
process.on('SIGUSR2', () => {
  loop.disable();
  counting = false;
  const report: ServerReport = {
    loopP50: loop.percentile(50) / 1e6,
    loopP99: loop.percentile(99) / 1e6,
    loopMax: loop.max / 1e6,
    gc: gc.read(),
    ...seen
  };
  console.log(JSON.stringify(report));
});
process.on('SIGUSR1', () => {
  seen = empty();
  counting = true;
  loop.reset();
  loop.enable();
  gc.reset();
});
// Exiting (rather than dying of the signal) lets --cpu-prof (BENCH_CPU_PROF) write its profile.
process.on('SIGTERM', () => process.exit(0));
