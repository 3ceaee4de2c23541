// Draws a snapshot's charts as SVG in a child process (chart-process.ts) with a memory cap and a time limit per
// chart, so no spec can stall or crash the server. A chart that fails, or takes the process down with it, gets an
// error; the charts after it are drawn by a fresh process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { VlSpec } from '../../cells/chart/spec';

export type ChartJob = { spec: VlSpec; rows: object[] };
export type ChartDrawing = { svg: string } | { error: string };

const PER_CHART_MS = 15_000;
const MEMORY_MB = 512;
// The app runs from its folder (server/index.ts loads build/ the same way), in production and in tests alike.
const ENTRY = path.resolve('server/publish/chart-process.ts');

const TOO_MUCH =
  'The chart could not be drawn: it needed more time or memory than a dashboard chart may use. ' +
  'Simplify its spec (fewer marks, no generated data).';

/** Runs one child over `jobs`; resolves with what it drew before it finished, failed or was stopped. */
function drawSome(jobs: ChartJob[]): Promise<ChartDrawing[]> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${MEMORY_MB}`, '--import', 'tsx', ENTRY], {
      stdio: ['pipe', 'pipe', 'ignore']
    });
    const done: ChartDrawing[] = [];
    let buffered = '';
    let timer = setTimeout(() => child.kill('SIGKILL'), PER_CHART_MS * 2); // the first one includes start-up
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      buffered += text;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        done.push(JSON.parse(buffered.slice(0, nl)) as ChartDrawing);
        buffered = buffered.slice(nl + 1);
        clearTimeout(timer);
        timer = setTimeout(() => child.kill('SIGKILL'), PER_CHART_MS);
      }
    });
    child.on('error', () => undefined);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(done);
    });
    child.stdin.on('error', () => undefined); // the child may die before reading everything
    child.stdin.end(JSON.stringify(jobs));
  });
}

export async function renderCharts(jobs: ChartJob[]): Promise<ChartDrawing[]> {
  const out: ChartDrawing[] = [];
  while (out.length < jobs.length) {
    const drawn = await drawSome(jobs.slice(out.length));
    out.push(...drawn);
    if (out.length < jobs.length) out.push({ error: TOO_MUCH }); // the one it was drawing when it stopped
  }
  return out;
}
