// Runs an upload's conversion in a child process (convert-process.ts) with a memory cap, a time limit and a
// limit on how many run at once, so no file can crash, freeze or starve the server. The child's data segment
// (RLIMIT_DATA: heap and private writable mappings) is capped with `ulimit -d`, which DuckDB meets as an
// allocation failure (a clear message) rather than the machine running out. Not `ulimit -v`: WebAssembly (used
// by tsx's loader) reserves far more address space than it uses. Anything that still kills the child is
// reported as the file needing too much memory.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { loadConfig, type ServerConfig } from '../config';
import { AppError } from '../errors';
import { OUT_OF_MEMORY, type Converted } from './convert';
import { ConvertReplySchema, type ConvertJob } from './convert-job';

export type ConversionLimits = {
  maxRows: number;
  maxUncompressedBytes: number;
  timeoutMs: number;
  memoryMb: number;
};

export const conversionLimits = (c: ServerConfig = loadConfig()): ConversionLimits => c.upload;

/** Two conversions at a time (each may use several cores' worth of DuckDB); the rest wait their turn. */
const SLOTS = 2;
let running = 0;
const waiting: (() => void)[] = [];

// The app runs from its folder (server/index.ts loads build/ the same way), in production and in tests alike.
const ENTRY = path.resolve('server/files/convert-process.ts');

const cancelled = () => new AppError('invalid', 'The upload was cancelled. Nothing was stored.');

async function turn(signal?: AbortSignal): Promise<void> {
  if (running < SLOTS) {
    running++;
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const go = () => {
      signal?.removeEventListener('abort', leave);
      running++;
      resolve();
    };
    const leave = () => {
      waiting.splice(waiting.indexOf(go), 1);
      reject(cancelled());
    };
    waiting.push(go);
    signal?.addEventListener('abort', leave, { once: true });
  });
}

function release() {
  running--;
  waiting.shift()?.();
}

export async function convertIsolated(
  job: Omit<ConvertJob, 'maxRows' | 'maxUncompressedBytes' | 'duckdbMemoryMb'>,
  limits: ConversionLimits = conversionLimits(),
  signal?: AbortSignal
): Promise<Converted> {
  if (signal?.aborted) throw cancelled();
  await turn(signal);
  try {
    return await runChild(
      // DuckDB keeps its buffers under half the cap; the rest is for its other allocations and Node.
      {
        ...job,
        maxRows: limits.maxRows,
        maxUncompressedBytes: limits.maxUncompressedBytes,
        duckdbMemoryMb: Math.max(64, Math.floor(limits.memoryMb / 2))
      },
      limits,
      signal
    );
  } finally {
    release();
  }
}

function runChild(job: ConvertJob, limits: ConversionLimits, signal?: AbortSignal): Promise<Converted> {
  return new Promise((resolve, reject) => {
    const heapMb = Math.max(128, Math.floor(limits.memoryMb * 0.6));
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        'ulimit -d "$1" 2>/dev/null; shift; exec "$@"',
        'sh',
        String(limits.memoryMb * 1024),
        process.execPath,
        `--max-old-space-size=${heapMb}`,
        '--import',
        'tsx',
        ENTRY
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] }
    );
    let stopped: 'timeout' | 'cancelled' | null = null;
    const stop = (why: 'timeout' | 'cancelled') => {
      stopped ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop('timeout'), limits.timeoutMs);
    const onAbort = () => stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (out = (out + t).slice(-1024 * 1024)));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (err = (err + t).slice(-4096)));
    child.stdin.on('error', () => undefined); // the child may die before reading the job
    child.on('error', () => undefined); // spawn failures surface as 'close' with no reply
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (stopped === 'cancelled') return reject(cancelled());
      if (stopped === 'timeout') {
        return reject(
          new AppError(
            'invalid',
            `Reading this file took longer than ${Math.max(1, Math.round(limits.timeoutMs / 1000))} s, more than an upload may use. ` +
              'Split it, or upload it as CSV or Parquet. Nothing was stored.'
          )
        );
      }
      const line = out.split('\n').find((l) => l.trim());
      const reply = line ? ConvertReplySchema.safeParse(safeJson(line)) : null;
      if (reply?.success) {
        const r = reply.data;
        if ('ok' in r) return resolve(r.ok);
        if (r.error.code !== 'unavailable') return reject(new AppError(r.error.code, r.error.message));
        console.error(`files: conversion failed: ${r.detail ?? 'no detail'}`);
        return reject(new AppError('unavailable', 'The upload failed on our side. Nothing was stored.'));
      }
      // No answer: the child died (out of memory under the cap, or a crash inside DuckDB on this input).
      const last = err.trim().split('\n').pop() ?? '';
      console.error(
        `files: conversion process ended (code ${code}, signal ${sig}) without an answer: ${last}`
      );
      reject(new AppError('invalid', OUT_OF_MEMORY));
    });
    child.stdin.end(JSON.stringify(job));
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
