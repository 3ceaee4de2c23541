// bench:collab — N editors type into one notebook (or --notebooks) over loopback; prints propagation latency
// (p50/p99), where an update's time goes in the server (queued, stored, applied and sent), server CPU and memory,
// and p99 as a ratio of a plain WebSocket echo round trip measured in the same run. Target: p99 ≤ 50 ms.
// With --servers N, N server processes share one PostgreSQL (BENCH_DATABASE_URL) and a Redis (REDIS_URL, or a
// throwaway redis-server), each notebook's editors spread over all of them, and the latency of edits that crossed
// servers is printed on its own. The editors run in --workers processes, so the load generator is not what is
// measured.
// Editors type for --warmup seconds before the measured --seconds (the servers' first second of typing is cold:
// code not yet optimised, statements not yet prepared); that warm-up's own figures are printed apart.
//   npm run bench:collab -- [--clients 50] [--seconds 30] [--warmup 5] [--rate 5] [--workers 2] [--servers 1]
//                           [--notebooks 1]
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { startRedis } from '../tests/integration/helpers/redis-server';
import { describeGc } from './gc-pauses';
import { machineCpu } from './machine-cpu';
import type { Editor, EditorsResult, EditorsSetup } from './collab-editors';
import type { ServerReport } from './collab-server';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    rate: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    servers: { type: 'string', default: '1' },
    notebooks: { type: 'string', default: '1' }
  }
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const WARMUP = Math.max(0, Number(values.warmup));
const RATE = Number(values.rate);
const WORKERS = Math.max(1, Math.min(CLIENTS, Number(values.workers)));
const SERVERS = Math.max(1, Number(values.servers));
const NOTEBOOKS = Math.max(1, Math.min(CLIENTS, Number(values.notebooks)));
if (SERVERS > 1 && !process.env.BENCH_DATABASE_URL) {
  throw new Error(
    'Several servers share one PostgreSQL: set BENCH_DATABASE_URL (PGlite lives in one process).'
  );
}

const percentile = (xs: ArrayLike<number>, p: number) => {
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const spread = (xs: number[]) => `p50 ${fmt(percentile(xs, 50))}, p99 ${fmt(percentile(xs, 99))}`;

function procStats(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuS: cpuTicks / 100, rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** The next JSON line the server prints that has `field`. */
function serverLine<T>(child: ReturnType<typeof spawn>, field: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      const line = lines.find((l) => l.startsWith('{') && l.includes(`"${field}"`));
      if (line) {
        child.stdout!.off('data', onData);
        resolve(JSON.parse(line) as T);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
}

// 1. Server processes: the first sets up the editors and notebooks, the others open its schema.
const redis = SERVERS > 1 && !process.env.REDIS_URL ? await startRedis() : undefined;
const REDIS_URL = process.env.REDIS_URL ?? redis?.url;
type Setup = {
  port: number;
  echoPort: number;
  notebookIds: string[];
  tokens: string[];
  schema?: string;
  database: string;
};
function startServer(env: Record<string, string>) {
  // BENCH_CPU_PROF=<dir>: each server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const dir = process.env.BENCH_CPU_PROF;
  const prof = dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'bench/collab-server.ts'], {
    env: { ...process.env, ...(REDIS_URL ? { REDIS_URL } : {}), ...env },
    stdio: ['ignore', 'pipe', 'inherit']
  });
  return { child, ready: serverLine<Setup>(child, 'port') };
}
const first = startServer({ BENCH_CLIENTS: String(CLIENTS), BENCH_NOTEBOOKS: String(NOTEBOOKS) });
const setup = await first.ready;
const servers = [{ child: first.child, port: setup.port }];
// However the bench ends (an editors process dying throws), no server or Redis is left running.
// (Not after a normal end: the servers then stop by themselves, writing their CPU profiles.)
let finished = false;
process.on('exit', () => {
  if (finished) return;
  servers.forEach((s) => s.child.kill('SIGKILL'));
  const redisPid = redis?.pid();
  if (redisPid) process.kill(redisPid, 'SIGKILL');
});
for (let i = 1; i < SERVERS; i++) {
  const s = startServer({ BENCH_SCHEMA: setup.schema! });
  servers.push({ child: s.child, port: (await s.ready).port });
}
// 2. Baseline: round trips of a small binary frame through a plain WebSocket echo on the same server process.
async function echoRoundTrips(n: number): Promise<number[]> {
  const ws = new WebSocket(`ws://127.0.0.1:${setup.echoPort}`);
  await new Promise((r) => ws.once('open', r));
  const out: number[] = [];
  const frame = Buffer.alloc(24, 7);
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    ws.send(frame);
    await new Promise((r) => ws.once('message', r));
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 2));
  }
  ws.close();
  return out;
}

// 3. Editors, in WORKERS processes. Editor i writes in notebook i mod NOTEBOOKS; each notebook's editors take turns
// over the servers, so with several servers most of what an editor receives was typed on another one.
const editors: Editor[] = setup.tokens.map((token, i) => {
  const notebook = i % NOTEBOOKS;
  const server = Math.floor(i / NOTEBOOKS) % SERVERS;
  const cell = Math.floor(i / NOTEBOOKS);
  return {
    token,
    server,
    port: servers[server]!.port,
    notebook,
    notebookId: setup.notebookIds[notebook]!,
    cell
  };
});
const per = Math.ceil(CLIENTS / WORKERS);
const workers = Array.from({ length: WORKERS }, (_, w) => {
  const proc = fork('bench/collab-editors.ts', [], {
    execArgv: [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []),
      '--import',
      'tsx'
    ],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  });
  const share: EditorsSetup = {
    editors: editors.slice(w * per, (w + 1) * per),
    rate: RATE,
    seconds: SECONDS,
    warmup: WARMUP
  };
  if (process.env.BENCH_EDITORS_NICE) setPriority(proc.pid!, Number(process.env.BENCH_EDITORS_NICE));
  proc.send(share);
  // An editors process that dies before answering ends the bench with why, instead of leaving it waiting.
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const died = (code: number | null, signal: string | null) =>
        reject(new Error(`editors process ${w + 1} ended (code ${code}, signal ${signal}) before answering`));
      proc.once('exit', died);
      proc.once('message', (m) => {
        proc.off('exit', died);
        resolve(m as T);
      });
    });
  return { proc, next };
});
await Promise.all(workers.map((w) => w.next<{ synced: true }>()));

const where =
  NOTEBOOKS === 1
    ? 'one notebook'
    : `${NOTEBOOKS} notebooks (${Math.round(CLIENTS / NOTEBOOKS)} editors each)`;
const across = SERVERS === 1 ? 'one server' : `${SERVERS} servers joined by Redis`;
console.log(
  `bench:collab — ${CLIENTS} editors × ${RATE} chars/s for ${SECONDS} s on ${where}, ${across} ` +
    `(${setup.database}, loopback, editors in ${WORKERS} processes)`
);
const echoBefore = await echoRoundTrips(500);
const results = Promise.all(workers.map((w) => w.next<EditorsResult>()));
for (const w of workers) w.proc.send({ go: true });
const warmupFrom = performance.timeOrigin + performance.now();
await new Promise((r) => setTimeout(r, WARMUP * 1000));
const cpu0 = servers.map((s) => procStats(s.child.pid!));
const serverPids = new Set(servers.map((s) => s.child.pid!));
const workerPids = new Set(workers.map((w) => w.proc.pid!));
const cpuShares = machineCpu({
  servers: (pid) => serverPids.has(pid),
  editors: (pid) => workerPids.has(pid),
  postgres: (_pid, comm) => comm === 'postgres',
  redis: (_pid, comm) => comm.startsWith('redis-server')
});
for (const s of servers) s.child.kill('SIGUSR1'); // the servers start counting
const t0 = performance.now();
const startedAt = performance.timeOrigin + t0; // on the editors' clock (ms since the epoch)
// Echo round trips measured while the load runs, too: the fair comparison on a busy machine.
const echoDuring = await new Promise<number[]>((resolve) => {
  setTimeout(() => void echoRoundTrips(500).then(resolve), (SECONDS * 1000) / 2);
});
const shares = await results;
const elapsed = (performance.now() - t0) / 1000;
const cpu1 = servers.map((s) => procStats(s.child.pid!));
const cpuLine = cpuShares();
const reports = await Promise.all(
  servers.map((s) => {
    const line = serverLine<ServerReport>(s.child, 'loopP99');
    s.child.kill('SIGUSR2');
    return line;
  })
);
const merged = (pick: (r: ServerReport) => number[]) => reports.flatMap(pick);

// Join: each edit typed somewhere (in the measured time; the warm-up's apart), and each time it reached an editor
// somewhere else.
const typed = new Map<number, { at: number; server: number }>();
const typedWarming = new Map<number, number>();
const perNotebook = new Map<number, number>();
for (const e of editors) perNotebook.set(e.notebook, (perNotebook.get(e.notebook) ?? 0) + 1);
let expected = 0;
for (const s of shares) {
  for (let i = 0; i < s.sent.length; i += 4) {
    if (s.sent[i + 1]! < startedAt) {
      typedWarming.set(s.sent[i]!, s.sent[i + 1]!);
      continue;
    }
    typed.set(s.sent[i]!, { at: s.sent[i + 1]!, server: s.sent[i + 2]! });
    expected += perNotebook.get(s.sent[i + 3]!)! - 1;
  }
}
const latencies: number[] = [];
const crossing: number[] = [];
const warming: number[] = [];
for (const s of shares) {
  for (let i = 0; i < s.received.length; i += 3) {
    const t = typed.get(s.received[i]!);
    if (t === undefined) {
      const w = typedWarming.get(s.received[i]!);
      if (w !== undefined) warming.push(s.received[i + 1]! - w);
      continue;
    }
    const ms = s.received[i + 1]! - t.at;
    latencies.push(ms);
    if (t.server !== s.received[i + 2]) crossing.push(ms);
  }
}

// Where each delivery's time went: from the editor typing to its server admitting it, from there to being applied
// on the server the receiver is connected to (stored, and relayed if it crossed), and from there to the receiver.
const admitted = new Map<number, number>();
for (const r of reports) {
  for (let i = 0; i < r.received.length; i += 2)
    if (!admitted.has(r.received[i]!)) admitted.set(r.received[i]!, r.received[i + 1]!);
}
const appliedOn = reports.map((r) => {
  const m = new Map<number, number>();
  for (let i = 0; i < r.applied.length; i += 2)
    if (!m.has(r.applied[i]!)) m.set(r.applied[i]!, r.applied[i + 1]!);
  return m;
});
const hops: { total: number; up: number; servers: number; down: number; typed: number }[] = [];
for (const s of shares) {
  for (let i = 0; i < s.received.length; i += 3) {
    const k = s.received[i]!;
    const t = typed.get(k);
    const r = admitted.get(k);
    const a = appliedOn[s.received[i + 2]!]?.get(k);
    if (t === undefined || r === undefined || a === undefined) continue;
    const at = s.received[i + 1]!;
    hops.push({ total: at - t.at, up: r - t.at, servers: a - r, down: at - a, typed: t.at });
  }
}

const p50 = percentile(latencies, 50);
const p99 = percentile(latencies, 99);
const echoAll = [...echoBefore, ...echoDuring];
const echoP99 = percentile(echoAll, 99);
console.log(`edits typed:            ${typed.size} (${(typed.size / elapsed).toFixed(0)}/s)`);
console.log(`deliveries measured:    ${latencies.length} of ${expected} expected`);
console.log(
  `propagation p50 / p99:  ${fmt(p50)} / ${fmt(p99)}   (max ${fmt(latencies.reduce((m, x) => Math.max(m, x), 0))})`
);
if (SERVERS > 1) {
  console.log(
    `  across servers:       ${fmt(percentile(crossing, 50))} / ${fmt(percentile(crossing, 99))}   (${crossing.length} deliveries)`
  );
}
if (warming.length > 0) {
  // Where the first seconds after a start are spent: cold code paths and statements (excluded from the above).
  console.log(
    `  warm-up (the first ${((startedAt - warmupFrom) / 1000).toFixed(1)} s of typing, not in the above): ` +
      `${fmt(percentile(warming, 50))} / ${fmt(percentile(warming, 99))}   ` +
      `(max ${fmt(warming.reduce((m, x) => Math.max(m, x), 0))}; ${warming.length} deliveries)`
  );
}
console.log(
  `echo round trip p50/p99: ${fmt(percentile(echoAll, 50))} / ${fmt(echoP99)}   (idle p99 ${fmt(percentile(echoBefore, 99))}, under load p99 ${fmt(percentile(echoDuring, 99))})`
);
if (hops.length > 0) {
  const cut = percentile(
    hops.map((h) => h.total),
    99
  );
  const tail = hops.filter((h) => h.total >= cut);
  const mean = (pick: (h: (typeof hops)[number]) => number) =>
    fmt(tail.reduce((n, h) => n + pick(h), 0) / tail.length);
  console.log(
    `where a delivery's time goes (${hops.length} traced; p50 / p99, and the mean over the slowest 1%):`
  );
  const line = (name: string, pick: (h: (typeof hops)[number]) => number) =>
    console.log(
      `  ${name.padEnd(21)} ${fmt(percentile(hops.map(pick), 50))} / ${fmt(percentile(hops.map(pick), 99))}   (slowest 1%: ${mean(pick)})`
    );
  line('editor → its server:', (h) => h.up);
  line('in the servers:', (h) => h.servers);
  line('server → editor:', (h) => h.down);
  // Whether the tail is a few stalls (its characters typed within a few moments) or spread over the run.
  const windows = new Map<number, number>();
  for (const h of tail)
    windows.set(Math.floor(h.typed / 100), (windows.get(Math.floor(h.typed / 100)) ?? 0) + 1);
  const busiest = [...windows.values()].sort((a, b) => b - a);
  const share = (n: number) =>
    `${((busiest.slice(0, n).reduce((a, b) => a + b, 0) / tail.length) * 100).toFixed(0)}%`;
  console.log(
    `  the slowest 1% were typed in ${windows.size} of the run's ${Math.ceil((elapsed * 1000) / 100)} 100-ms windows; ` +
      `the busiest 5 hold ${share(5)}, the busiest 20 ${share(20)}; the busiest 5 at ` +
      [...windows]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([w]) => `${((w * 100 - startedAt) / 1000).toFixed(1)} s`)
        .join(', ')
  );
}
console.log(`in the server${SERVERS > 1 ? 's' : ''}, per update:`);
console.log(`  queued before storing: ${spread(merged((r) => r.queuedMs))}`);
const batches = merged((r) => r.storeMs);
console.log(`  stored (per batch):    ${spread(batches)}   (${batches.length} batches)`);
console.log(`  applied and sent:      ${spread(merged((r) => r.applyMs))}`);
console.log(`  bookkeeping after:     ${spread(merged((r) => r.afterMs))}`);
console.log(`  batch size:            ${spread(merged((r) => r.batchSizes)).replaceAll(' ms', '')}`);
const compactions = merged((r) => r.compactionsMs);
console.log(`  compactions:           ${compactions.length ? compactions.map(fmt).join(', ') : 'none'}`);
servers.forEach((_, i) => {
  const cpu = (((cpu1[i]!.cpuS - cpu0[i]!.cpuS) / elapsed) * 100).toFixed(0);
  const name = SERVERS > 1 ? `server ${i + 1}` : 'server';
  console.log(
    `${`${name}:`.padEnd(24)}CPU ${cpu}% of one core, ${cpu1[i]!.rssMb.toFixed(0)} MB resident ` +
      `(peak ${cpu1[i]!.peakMb.toFixed(0)} MB), event-loop delay p99 ${fmt(reports[i]!.loopP99)} ` +
      `(max ${fmt(reports[i]!.loopMax)}); ${describeGc(reports[i]!.gc)}`
  );
});
console.log(cpuLine);
for (const [i, s] of shares.entries()) {
  console.log(
    `${`editors ${i + 1}:`.padEnd(24)}event-loop delay p99 ${fmt(s.loopP99)} (max ${fmt(s.loopMax)}); ${describeGc(s.gc)}`
  );
}
console.log(`ratio p99 / echo p99:   ${(p99 / echoP99).toFixed(2)}×`);
console.log(`target p99 ≤ 50 ms:     ${p99 <= 50 ? 'met' : 'NOT met'}`);

finished = true;
for (const s of servers) s.child.kill('SIGTERM');
await redis?.stop();
process.exit(0);
