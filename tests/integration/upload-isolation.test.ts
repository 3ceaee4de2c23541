// The child process that converts uploads: its memory cap, time limit and cancellation, with real files.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  convertIsolated,
  dropConversionSpare,
  type ConversionLimits
} from '../../server/files/convert-isolated';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sheaf-isolation-'));
});
afterAll(async () => {
  await dropConversionSpare();
  await rm(dir, { recursive: true, force: true });
});

const roomy: ConversionLimits = {
  maxRows: 1e9,
  maxUncompressedBytes: 1e12,
  timeoutMs: 120_000,
  memoryMb: 3072
};

/** Conversion processes this test process started that are still running. */
async function conversionChildren(): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (status.includes(`\nPPid:\t${process.pid}\n`) && cmdline.includes('convert-process')) found.push(pid);
  }
  return found;
}

function job(src: string, format: 'csv' | 'parquet') {
  const out = path.join(dir, path.basename(src) + '.out');
  return { format, src, parquet: `${out}.parquet`, browserCopy: `${out}.duckdb`, workDir: dir };
}

describe('upload conversion in a child process', () => {
  it('converts an ordinary file and reports its rows and columns', async () => {
    const src = path.join(dir, 'ok.csv');
    await writeFile(src, 'city,n\nOslo,3\nLima,4\n');
    const converted = await convertIsolated(job(src, 'csv'), roomy);
    expect(converted.rows).toBe(2);
    expect(converted.columns).toEqual([
      { name: 'city', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' }
    ]);
  });

  it('a file that needs more memory than the cap gets a clear message, not a dead server', async () => {
    const src = path.join(dir, 'bigvalue.parquet');
    const conn = await (await DuckDBInstance.create(':memory:')).connect();
    await conn.run(
      `copy (select repeat('a', 400000000) as s) to '${src}' (format parquet, compression zstd)`
    );
    conn.closeSync();
    await expect(convertIsolated(job(src, 'parquet'), { ...roomy, memoryMb: 512 })).rejects.toThrow(
      /needs more memory than an upload may use/
    );
    // …and with room enough the same file converts: the cap, not the file, was the limit.
    await expect(convertIsolated(job(src, 'parquet'), roomy)).resolves.toMatchObject({ rows: 1 });
  });

  it('stops a conversion that runs past its time limit', async () => {
    const src = path.join(dir, 'slow.csv');
    await writeFile(src, 'a\n1\n');
    await expect(convertIsolated(job(src, 'csv'), { ...roomy, timeoutMs: 200 })).rejects.toThrow(
      /took longer than 1 s/
    );
  });

  it('stops when the request goes away, leaving no process behind', async () => {
    const src = path.join(dir, 'gone.csv');
    await writeFile(src, 'a\n1\n');
    const gone = new AbortController();
    setTimeout(() => gone.abort(), 100);
    await expect(convertIsolated(job(src, 'csv'), roomy, gone.signal)).rejects.toThrow(/cancelled/);
    await dropConversionSpare(); // the one waiting for the next upload; the cancelled one must be gone already
    expect(await conversionChildren()).toEqual([]);
  });
});
