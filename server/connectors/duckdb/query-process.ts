// The child process that runs one query on a DuckDB/Parquet file connection (see query-child.ts): it waits,
// modules loaded, for a `run` on stdin, opens the file in the sandbox (sandbox.ts), sends the result batch by
// batch on fd 3 as the server asks for more (query-protocol.ts), then says how it ended and exits. The editor's
// SQL runs here because hostile SQL can crash native DuckDB (a deeply nested JSON literal) or make it outgrow
// any limit; then only this process dies, under its memory cap, and the server reports it.
import net from 'node:net';
import { DuckDBInstance } from '@duckdb/node-api';
import { RecordBatchStreamWriter, type RecordBatch } from 'apache-arrow';
import { QueryError } from '../query-error';
import { FrameReader, writeFrame } from './frames';
import { RequestSchema, type Reply, type Request } from './query-protocol';
import { resultBatches } from './result-batches';
import { openSandbox, type Sandbox } from './sandbox';

/** A message can quote a value; the server needs no more than this of it. */
const MAX_MESSAGE = 100_000;
/**
 * DuckDB's own limit, an allocation refused under the process's cap, or a value too long for a JS string (a
 * 600 MB repeat() gets that far): DuckDB's wording suggests settings the editor cannot change.
 */
const OUT_OF_MEMORY =
  /^Out of Memory Error|^Cannot create a string longer than|std::bad_alloc|allocation failure/i;

class Interrupted extends Error {
  constructor() {
    super('The query was interrupted.');
  }
}

const replies = new net.Socket({ fd: 3, readable: false, writable: true });
/** An object so TypeScript sees it change under the loop below. */
const state: {
  sandbox: Sandbox | null;
  interrupted: boolean;
  /** The server's go-ahead for the next batch, while we wait for it. */
  more: { resolve: () => void; reject: (e: Error) => void } | null;
} = { sandbox: null, interrupted: false, more: null };

async function sendBatch(batch: RecordBatch): Promise<void> {
  if (state.interrupted) throw new Interrupted();
  const asked = new Promise<void>((resolve, reject) => (state.more = { resolve, reject }));
  const writer = new RecordBatchStreamWriter();
  writer.write(batch);
  await writeFrame(replies, { batch: true }, writer.toUint8Array(true));
  await asked;
}

async function run(request: Extract<Request, { op: 'run' }>): Promise<Reply> {
  try {
    await writeFrame(replies, { started: true });
    state.sandbox = await openSandbox({ path: request.path }, request.file);
    if (state.interrupted) throw new Interrupted();
    const result = request.params.length
      ? await state.sandbox.connection.stream(request.text, request.params)
      : await state.sandbox.connection.stream(request.text);
    return { done: await resultBatches(result, request.rowCap, { batch: sendBatch }) };
  } catch (e) {
    if (e instanceof QueryError)
      return { failed: { reason: e.reason, memory: false, message: e.message.slice(0, MAX_MESSAGE) } };
    const message = e instanceof Error ? e.message : String(e);
    return { failed: { memory: OUT_OF_MEMORY.test(message), message: message.slice(0, MAX_MESSAGE) } };
  }
}

/** One query per process: the next one gets a fresh process, whatever this one did to its memory. */
async function finish(reply: Promise<Reply>) {
  try {
    await writeFrame(replies, await reply);
    state.sandbox?.close();
  } finally {
    process.exit(0); // DuckDB's threads would otherwise keep the process alive a little longer
  }
}

function interrupt() {
  state.interrupted = true;
  state.sandbox?.connection.interrupt();
  state.more?.reject(new Interrupted());
  state.more = null;
}

// Should the server die mid-query, stdin's end tells us; this catches a parent gone while stdin is somehow held
// open. SIGKILL, because process.exit() would wait for DuckDB's running statement while tearing it down.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.kill(process.pid, 'SIGKILL'), 1000).unref();

/** A spare has time to spare: DuckDB's start-up and the JIT's first pass over resultBatches cost a query ~100 ms. */
async function warmUp() {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const connection = await instance.connect();
    const result = await connection.stream(`select range::int as n, range::varchar as s from range(100000)`);
    await resultBatches(result, 1e9, { batch: async () => undefined });
    connection.closeSync();
  } finally {
    instance.closeSync();
  }
}
// A failed warm-up costs the query nothing but the time it would have saved.
if (process.argv.includes('--spare')) await warmUp().catch(() => undefined);

const reader = new FrameReader();
let started = false;
for await (const chunk of process.stdin) {
  for (const frame of reader.push(chunk as Buffer)) {
    const request = RequestSchema.parse(frame.header);
    if (request.op === 'more') {
      state.more?.resolve();
      state.more = null;
    } else if (request.op === 'interrupt') {
      interrupt();
    } else if (!started) {
      started = true;
      void finish(run(request));
    }
  }
}
// The server closed our stdin: it is gone, or wants nothing more from us, whatever we are doing.
process.kill(process.pid, 'SIGKILL');
