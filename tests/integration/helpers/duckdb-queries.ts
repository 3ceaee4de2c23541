// What the file-connection query tests share: a query's batches through runDuckdbQuery, a promise's error as a
// value, and the query processes this test process has running (from /proc).
import { readdir, readFile } from 'node:fs/promises';
import type { RecordBatch } from 'apache-arrow';
import { runDuckdbQuery } from '../../../server/connectors/duckdb/execute';
import type { FileConnection } from '../../../server/connectors/store';

export async function collect(
  conn: FileConnection,
  sql: string,
  opts: { signal?: AbortSignal; onBatch?: (b: RecordBatch) => Promise<void> } = {}
) {
  const batches: RecordBatch[] = [];
  const outcome = await runDuckdbQuery(
    conn,
    sql,
    {
      batch: async (b) => {
        batches.push(b);
        await opts.onBatch?.(b);
      }
    },
    opts.signal ?? new AbortController().signal
  );
  return { batches, outcome };
}

/** The error a promise rejects with, or null. */
export const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e
  );

/** Query processes this process started that are still running. */
export async function queryChildren(): Promise<number[]> {
  const out: number[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (status.includes(`\nPPid:\t${process.pid}\n`) && cmdline.includes('query-process'))
      out.push(Number(pid));
  }
  return out;
}

export const gone = async (pid: number) => !(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null));
