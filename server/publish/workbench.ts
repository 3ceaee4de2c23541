// A dashboard refresh's DuckDB, run in a child process (workbench-process.ts over workbench-engine.ts) so that
// the author's SQL cannot crash, freeze or starve the server: a deeply nested JSON literal once grew DuckDB past
// 5 GB and took the whole process down with SIGSEGV, and some statements ignore DuckDB's interrupt. The child's
// data segment is capped with `ulimit -d` (not `ulimit -v`: tsx's WebAssembly reserves far more address space
// than it uses); DuckDB keeps its own 1 GB limit and per-statement interrupt inside. The server kills the child
// when a call outlives that interrupt by a margin, and reports a child that died without answering as the query
// needing too much memory. Each open workbench holds one native DuckDB slot until its process has ended.
import path from 'node:path';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { spawnDuckdbChild } from '../connectors/duckdb/child';
import { FrameReader, writeFrame, type Frame } from '../connectors/duckdb/frames';
import { nativeDuckdb } from '../connectors/duckdb/slots';
import { AppError } from '../errors';
import type { FileView, Workbench } from './workbench-engine';
import { ReplySchema, type Request } from './workbench-protocol';
import { z } from 'zod';

export type { FileView, Workbench } from './workbench-engine';

/** The child's data segment: DuckDB's 1 GB of buffers, its allocations outside them, Node and the Arrow results. */
const MEMORY_MB = 2048;
/** V8's share of that: a million-row result is held as Arrow and its IPC copy while it is sent. */
const HEAP_MB = 1024;
/** How long past the statement limit the server waits for DuckDB's own interrupt before killing the child. */
const GRACE_S = 15;
// The app runs from its folder (server/index.ts loads build/ the same way), in production and in tests alike.
const ENTRY = path.resolve('server/publish/workbench-process.ts');

export const TOO_MUCH_MEMORY =
  'The query needed more memory than a dashboard refresh may use (or made the database engine crash). ' +
  'Simplify it: fewer or smaller rows, less deeply nested values.';
const tooLong = (timeoutS: number) => `The query ran longer than ${timeoutS} s and was stopped.`;

export async function openWorkbench(files: FileView[], timeoutS = 120): Promise<Workbench> {
  await nativeDuckdb.take();
  let child: Child;
  try {
    child = startChild(timeoutS);
  } catch (e) {
    nativeDuckdb.give();
    throw e;
  }
  try {
    await child.call({ op: 'open', files, timeoutS });
  } catch (e) {
    child.close();
    throw e;
  }
  return {
    async runInto(name, sql, params = []) {
      await child.call({ op: 'runInto', name, sql, params });
    },
    async load(name: string, table: Table) {
      await child.call({ op: 'load', name }, tableToIPC(table, 'stream'));
    },
    // An arrow function: callers pass `query` around on its own (chartData).
    query: async (sql) => tableFromIPC((await child.call({ op: 'query', sql })).payload),
    tableColumns: async () => TableColumnsSchema.parse(data(await child.call({ op: 'tableColumns' }))),
    exportParquet: async (name, columns, dir, file) =>
      ExportSchema.parse(data(await child.call({ op: 'exportParquet', name, columns, dir, file }))),
    checkReplay: async (tables, cells, standIns = []) =>
      z
        .string()
        .nullable()
        .parse(data(await child.call({ op: 'checkReplay', tables, cells, standIns }))),
    precompute: async (tables, groups, dir, limits) =>
      AnswerFilesSchema.parse(data(await child.call({ op: 'precompute', tables, groups, dir, limits }))),
    close: () => child.close()
  };
}

const ColumnsSchema = z.array(z.object({ name: z.string(), type: z.string() }));
const TableColumnsSchema = z.array(z.object({ name: z.string(), columns: ColumnsSchema }));
const AnswerFilesSchema = z.array(
  z.object({
    file: z.string(),
    parts: z.array(z.object({ cell: z.string(), bytes: z.number().int().nonnegative() }))
  })
);
const ExportSchema = z.object({ rows: z.number().int().nonnegative(), columns: ColumnsSchema });
/** The JSON answer of a call (checked above, per op). */
const data = (frame: Frame): unknown => (frame.header as { data?: unknown }).data ?? null;

type Child = { call(request: Request, payload?: Uint8Array): Promise<Frame>; close(): void };

function startChild(timeoutS: number): Child {
  const spawned = spawnDuckdbChild(ENTRY, { memoryMb: MEMORY_MB, heapMb: HEAP_MB });
  const { process: child, requests, replies, stderr } = spawned;
  const reader = new FrameReader();
  let pending: { resolve: (f: Frame) => void; reject: (e: Error) => void } | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let stopping: 'timeout' | 'closed' | 'garbled' | null = null;
  /** Once the child is gone, every call fails with why. */
  let gone: Error | null = null;
  let spawnError = '';

  const stop = (why: NonNullable<typeof stopping>) => {
    stopping ??= why;
    if (!gone) child.kill('SIGKILL');
  };
  replies.on('data', (chunk: Buffer) => {
    let frames: Frame[];
    try {
      frames = reader.push(chunk);
    } catch (e) {
      console.error('publish:', e);
      return stop('garbled');
    }
    for (const frame of frames) {
      const waiting = pending;
      pending = null;
      if (waiting) waiting.resolve(frame);
      else stop('garbled'); // an answer nobody asked for: the two sides no longer agree
    }
  });
  let ended = false;
  const end = (code: number | null, signal: NodeJS.Signals | null) => {
    if (ended) return;
    ended = true;
    nativeDuckdb.give();
    if (stopping === 'timeout') gone = new AppError('unavailable', tooLong(timeoutS));
    else if (stopping === 'closed') gone = new Error('The dashboard refresh’s workbench is already closed.');
    else if (stopping === 'garbled')
      gone = new Error('The dashboard refresh’s workbench stopped making sense.');
    else {
      const last = (stderr() + spawnError).trim().split('\n').pop() ?? '';
      console.error(
        `publish: workbench process ended (code ${code}, signal ${signal}) without an answer: ${last}`
      );
      gone = new AppError('unavailable', TOO_MUCH_MEMORY);
    }
    pending?.reject(gone);
    pending = null;
  };
  // 'close', not 'exit': by then every answer the child wrote has been read.
  child.on('close', end);
  child.on('error', (e) => {
    if (child.pid !== undefined) return; // a failed kill of a live child: 'close' still comes
    spawnError = String(e);
    end(null, null);
  });

  async function send(request: Request, payload?: Uint8Array): Promise<Frame> {
    if (gone) throw gone;
    let timer: NodeJS.Timeout | undefined;
    try {
      const frame = await new Promise<Frame>((resolve, reject) => {
        pending = { resolve, reject };
        timer = setTimeout(() => stop('timeout'), (timeoutS + GRACE_S) * 1000);
        writeFrame(requests, request, payload).catch(() => undefined);
      });
      const reply = ReplySchema.safeParse(frame.header);
      if (!reply.success) {
        stop('garbled');
        throw new Error('The dashboard refresh’s workbench gave an answer we could not read.');
      }
      if ('ok' in reply.data) return frame;
      if (reply.data.memory) throw new AppError('unavailable', TOO_MUCH_MEMORY);
      throw new Error(reply.data.error);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    // One request at a time: the child answers in order, and a timer per call needs to know whose it is.
    call(request, payload) {
      const turn = queue.then(() => send(request, payload));
      queue = turn.catch(() => undefined);
      return turn;
    },
    close: () => stop('closed')
  };
}
