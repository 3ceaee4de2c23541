// The child process that draws a snapshot's charts (see render-charts.ts): reads the jobs as JSON from stdin,
// writes one JSON line per chart to stdout as it finishes. A spec can ask Vega for unbounded work (a huge data
// generator, a catastrophic regular expression), so this runs apart from the server, with a memory cap, and the
// parent kills it when a chart takes too long.
import { chartSvg } from './chart-svg';
import type { VlSpec } from '../../cells/chart/spec';

type Job = { spec: VlSpec; rows: object[] };

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const jobs = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Job[];
for (const job of jobs) {
  let line: { svg: string } | { error: string };
  try {
    line = { svg: await chartSvg(job.spec, job.rows) };
  } catch (e) {
    line = { error: e instanceof Error ? e.message : String(e) };
  }
  await new Promise<void>((done) => process.stdout.write(JSON.stringify(line) + '\n', () => done()));
}
