// bench:collab — N editors type into one notebook over loopback; prints propagation latency (p50/p99), server CPU
// and memory, and p99 as a ratio of a plain WebSocket echo round trip measured in the same run. Target: p99 ≤ 50 ms.
//   npm run bench:collab -- [--clients 50] [--seconds 30] [--rate 5]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { orderedCells } from '../cells/document';

// y-websocket adds a process exit listener per provider in Node.
process.setMaxListeners(0);

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    rate: { type: 'string', default: '5' }
  }
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

function procStats(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { cpuS: cpuTicks / 100, rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

// 1. Server process.
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/collab-server.ts'], {
  env: { ...process.env, BENCH_CLIENTS: String(CLIENTS) },
  stdio: ['ignore', 'pipe', 'inherit']
});
const setup = await new Promise<{
  port: number;
  echoPort: number;
  notebookId: string;
  tokens: string[];
  database: string;
}>((resolve, reject) => {
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const line = buf.split('\n').find((l) => l.startsWith('{'));
    if (line) resolve(JSON.parse(line));
  });
  child.on('exit', (code) => reject(new Error(`bench server exited (${code})`)));
});

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

// 3. Editors.
const sentAt = new Map<string, number>(); // `${client}:${clock}` → when it was typed
const latencies: number[] = [];
type Editor = { doc: Y.Doc; provider: WebsocketProvider };
const editors: Editor[] = setup.tokens.map((token) => {
  const doc = new Y.Doc();
  const Cookie = class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { cookie: `sheaf_session=${token}` } });
    }
  };
  const provider = new WebsocketProvider(`ws://127.0.0.1:${setup.port}/collab`, setup.notebookId, doc, {
    WebSocketPolyfill: Cookie as unknown as typeof globalThis.WebSocket,
    disableBc: true
  });
  doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== provider) return;
    const now = performance.now();
    for (const s of Y.decodeUpdate(update).structs) {
      const t = sentAt.get(`${s.id.client}:${s.id.clock}`);
      if (t !== undefined) latencies.push(now - t);
    }
  });
  return { doc, provider };
});
await Promise.all(
  editors.map(
    (e) =>
      new Promise<void>((resolve) => {
        if (e.provider.synced) resolve();
        else e.provider.once('sync', () => resolve());
      })
  )
);

console.log(
  `bench:collab — ${CLIENTS} editors × ${RATE} chars/s for ${SECONDS} s on one notebook (${setup.database}, loopback)`
);
const echoBefore = await echoRoundTrips(500);
const cpu0 = procStats(child.pid!);
// Event-loop delay of both processes: where waiting happens when the two cores are busy.
const clientLoop = monitorEventLoopDelay({ resolution: 5 });
clientLoop.enable();
child.kill('SIGUSR1');
const t0 = performance.now();

const timers = editors.map((e, i) => {
  const text = orderedCells(e.doc)[i % orderedCells(e.doc).length]!.source;
  const jitter = Math.random() * (1000 / RATE);
  let timer: NodeJS.Timeout;
  const start = setTimeout(() => {
    timer = setInterval(() => {
      const clock = Y.getState(e.doc.store, e.doc.clientID);
      sentAt.set(`${e.doc.clientID}:${clock}`, performance.now());
      text.insert(text.length, 'x');
    }, 1000 / RATE);
  }, jitter);
  return () => {
    clearTimeout(start);
    clearInterval(timer);
  };
});
// Echo round trips measured while the load runs, too: the fair comparison on a busy machine.
const echoDuring = await new Promise<number[]>((resolve) => {
  setTimeout(() => void echoRoundTrips(500).then(resolve), (SECONDS * 1000) / 2);
});
await new Promise((r) => setTimeout(r, Math.max(0, SECONDS * 1000 - (performance.now() - t0))));
timers.forEach((stop) => stop());
await new Promise((r) => setTimeout(r, 1000)); // let the last updates arrive
const elapsed = (performance.now() - t0) / 1000;
const cpu1 = procStats(child.pid!);
clientLoop.disable();
const serverLoop = await new Promise<{ loopP50: number; loopP99: number }>((resolve) => {
  child.stdout!.on('data', (d: Buffer) => {
    const line = d
      .toString()
      .split('\n')
      .find((l) => l.includes('loopP99'));
    if (line) resolve(JSON.parse(line));
  });
  child.kill('SIGUSR2');
});

const expected = sentAt.size * (CLIENTS - 1);
const p50 = percentile(latencies, 50);
const p99 = percentile(latencies, 99);
const echoAll = [...echoBefore, ...echoDuring];
const echoP99 = percentile(echoAll, 99);
console.log(`edits typed:            ${sentAt.size} (${(sentAt.size / elapsed).toFixed(0)}/s)`);
console.log(`deliveries measured:    ${latencies.length} of ${expected} expected`);
console.log(
  `propagation p50 / p99:  ${fmt(p50)} / ${fmt(p99)}   (max ${fmt(latencies.reduce((m, x) => Math.max(m, x), 0))})`
);
console.log(
  `echo round trip p50/p99: ${fmt(percentile(echoAll, 50))} / ${fmt(echoP99)}   (idle p99 ${fmt(percentile(echoBefore, 99))}, under load p99 ${fmt(percentile(echoDuring, 99))})`
);
console.log(`server CPU:             ${(((cpu1.cpuS - cpu0.cpuS) / elapsed) * 100).toFixed(0)}% of one core`);
console.log(
  `server memory:          ${cpu1.rssMb.toFixed(0)} MB resident (peak ${cpu1.peakMb.toFixed(0)} MB)`
);
console.log(
  `event-loop delay p99:   server ${fmt(serverLoop.loopP99)}, simulated clients ${fmt(clientLoop.percentile(99) / 1e6)}`
);
console.log(`ratio p99 / echo p99:   ${(p99 / echoP99).toFixed(2)}×`);
console.log(`target p99 ≤ 50 ms:     ${p99 <= 50 ? 'met' : 'NOT met'}`);

for (const e of editors) e.provider.destroy();
child.kill('SIGTERM');
process.exit(0);
