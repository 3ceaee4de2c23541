// bench:collab — N editors type into one notebook over loopback; prints propagation latency (p50/p99), where an
// update's time goes in the server (queued, stored, applied and sent), server CPU and memory, and p99 as a ratio
// of a plain WebSocket echo round trip measured in the same run. Target: p99 ≤ 50 ms.
// The editors run in --workers processes of their own, so the load generator is not what is measured.
//   npm run bench:collab -- [--clients 50] [--seconds 30] [--rate 5] [--workers 2]
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import type { EditorsResult, EditorsSetup } from './collab-editors';
import type { ServerReport } from './collab-server';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    rate: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' }
  }
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const WORKERS = Math.max(1, Math.min(CLIENTS, Number(values.workers)));

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

// 1. Server process.
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/collab-server.ts'], {
  env: { ...process.env, BENCH_CLIENTS: String(CLIENTS) },
  stdio: ['ignore', 'pipe', 'inherit']
});
const setup = await serverLine<{
  port: number;
  echoPort: number;
  notebookId: string;
  tokens: string[];
  database: string;
}>(child, 'port');

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

// 3. Editors, in WORKERS processes.
const per = Math.ceil(CLIENTS / WORKERS);
const workers = Array.from({ length: WORKERS }, (_, w) => {
  const proc = fork('bench/collab-editors.ts', [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  });
  const share: EditorsSetup = {
    port: setup.port,
    notebookId: setup.notebookId,
    tokens: setup.tokens.slice(w * per, (w + 1) * per),
    first: w * per,
    rate: RATE,
    seconds: SECONDS
  };
  proc.send(share);
  const next = <T>() => new Promise<T>((resolve) => proc.once('message', (m) => resolve(m as T)));
  return { proc, next };
});
await Promise.all(workers.map((w) => w.next<{ synced: true }>()));

console.log(
  `bench:collab — ${CLIENTS} editors × ${RATE} chars/s for ${SECONDS} s on one notebook (${setup.database}, loopback, ` +
    `editors in ${WORKERS} processes)`
);
const echoBefore = await echoRoundTrips(500);
const cpu0 = procStats(child.pid!);
child.kill('SIGUSR1'); // the server starts counting
const t0 = performance.now();
const results = Promise.all(workers.map((w) => w.next<EditorsResult>()));
for (const w of workers) w.proc.send({ go: true });
// Echo round trips measured while the load runs, too: the fair comparison on a busy machine.
const echoDuring = await new Promise<number[]>((resolve) => {
  setTimeout(() => void echoRoundTrips(500).then(resolve), (SECONDS * 1000) / 2);
});
const shares = await results;
const elapsed = (performance.now() - t0) / 1000;
const cpu1 = procStats(child.pid!);
const reportLine = serverLine<ServerReport>(child, 'loopP99');
child.kill('SIGUSR2');
const server = await reportLine;

// Join: each edit typed somewhere, and each time it reached an editor somewhere else.
const typedAt = new Map<number, number>();
for (const s of shares) for (let i = 0; i < s.sent.length; i += 2) typedAt.set(s.sent[i]!, s.sent[i + 1]!);
const latencies: number[] = [];
for (const s of shares) {
  for (let i = 0; i < s.received.length; i += 2) {
    const t = typedAt.get(s.received[i]!);
    if (t !== undefined) latencies.push(s.received[i + 1]! - t);
  }
}

const expected = typedAt.size * (CLIENTS - 1);
const p50 = percentile(latencies, 50);
const p99 = percentile(latencies, 99);
const echoAll = [...echoBefore, ...echoDuring];
const echoP99 = percentile(echoAll, 99);
console.log(`edits typed:            ${typedAt.size} (${(typedAt.size / elapsed).toFixed(0)}/s)`);
console.log(`deliveries measured:    ${latencies.length} of ${expected} expected`);
console.log(
  `propagation p50 / p99:  ${fmt(p50)} / ${fmt(p99)}   (max ${fmt(latencies.reduce((m, x) => Math.max(m, x), 0))})`
);
console.log(
  `echo round trip p50/p99: ${fmt(percentile(echoAll, 50))} / ${fmt(echoP99)}   (idle p99 ${fmt(percentile(echoBefore, 99))}, under load p99 ${fmt(percentile(echoDuring, 99))})`
);
console.log(`in the server, per update:`);
console.log(`  queued before storing: ${spread(server.queuedMs)}`);
console.log(`  stored (per batch):    ${spread(server.storeMs)}   (${server.storeMs.length} batches)`);
console.log(`  applied and sent:      ${spread(server.applyMs)}`);
console.log(`  bookkeeping after:     ${spread(server.afterMs)}`);
console.log(`  batch size:            ${spread(server.batchSizes).replaceAll(' ms', '')}`);
console.log(
  `  compactions:           ${server.compactionsMs.length ? server.compactionsMs.map(fmt).join(', ') : 'none'}`
);
console.log(`server CPU:             ${(((cpu1.cpuS - cpu0.cpuS) / elapsed) * 100).toFixed(0)}% of one core`);
console.log(
  `server memory:          ${cpu1.rssMb.toFixed(0)} MB resident (peak ${cpu1.peakMb.toFixed(0)} MB)`
);
console.log(
  `event-loop delay p99:   server ${fmt(server.loopP99)}, simulated clients ${shares.map((s) => fmt(s.loopP99)).join(', ')}`
);
console.log(`ratio p99 / echo p99:   ${(p99 / echoP99).toFixed(2)}×`);
console.log(`target p99 ≤ 50 ms:     ${p99 <= 50 ? 'met' : 'NOT met'}`);

child.kill('SIGTERM');
process.exit(0);
