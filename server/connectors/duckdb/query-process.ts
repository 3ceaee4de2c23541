// The child process that runs queries on one DuckDB/Parquet file connection (see query-child.ts): it waits,
// modules loaded, for a `run` on stdin, opens the file in the sandbox (sandbox.ts), sends the result batch by
// batch on fd 3 as the server asks for more (query-protocol.ts), then says how it ended and whether it can take the
// next query. It keeps the file's DuckDB instance open for later queries on the same file, each on a connection of
// its own, as long as nothing a query did can reach the next one (reuse-checks.ts); otherwise it exits. The editor's
// SQL runs here because hostile SQL can crash native DuckDB (a deeply nested JSON literal) or make it outgrow any
// limit; then only this process dies, under its memory cap, and the server reports it.
import net from 'node:net';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { RecordBatchStreamWriter, type RecordBatch } from 'apache-arrow';
import { QueryError } from '../query-error';
import { FrameReader, writeFrame } from './frames';
import { RequestSchema, type Reply, type Request } from './query-protocol';
import { resultBatches } from './result-batches';
import { instanceState, streamStatements } from './reuse-checks';
import { openSandboxInstance, type SandboxInstance } from './sandbox';

type Run = Extract<Request, { op: 'run' }>;

/** Queries one process runs before it makes way for a fresh one, whatever they did to its memory. */
const MAX_RUNS = 500;
/** Resident memory past which a process is not kept for the next query: idle processes should stay small. */
const RETIRE_RSS = 768 * 1024 * 1024;
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
/** An object so TypeScript sees it change under the code below. */
const state: {
  /** The file this process serves, its sandbox, and the sandbox's state before any query ran on it. */
  opened: { path: string; file: string; sandbox: SandboxInstance; state: string } | null;
  /** The running query's own connection. */
  connection: DuckDBConnection | null;
  running: boolean;
  runs: number;
  interrupted: boolean;
  /** The server's go-ahead for the next batch, while we wait for it. */
  more: { resolve: () => void; reject: (e: Error) => void } | null;
} = { opened: null, connection: null, running: false, runs: 0, interrupted: false, more: null };

async function sendBatch(batch: RecordBatch): Promise<void> {
  if (state.interrupted) throw new Interrupted();
  const asked = new Promise<void>((resolve, reject) => (state.more = { resolve, reject }));
  const writer = new RecordBatchStreamWriter();
  writer.write(batch);
  await writeFrame(replies, { batch: true }, writer.toUint8Array(true));
  await asked;
}

/** The sandbox for the request's file: opened by the first query, the same one for every later query. */
async function sandboxFor(request: Run): Promise<SandboxInstance> {
  if (state.opened) {
    // The server keeps a process for one file; a request for another is a bug there, and must not be served.
    if (state.opened.file !== request.file || state.opened.path !== request.path)
      throw new QueryError('connect', 'This query process serves another file.');
    return state.opened.sandbox;
  }
  const sandbox = await openSandboxInstance({ path: request.path }, request.file);
  state.opened = {
    path: request.path,
    file: request.file,
    sandbox,
    state: await instanceState(sandbox.instance)
  };
  return sandbox;
}

/** Whether the next query may run here, once this one's connection is closed: see reuse-checks.ts. */
async function reusable(onlySelects: boolean): Promise<boolean> {
  state.connection?.closeSync();
  state.connection = null;
  if (!onlySelects || state.interrupted || !state.opened) return false;
  if (++state.runs >= MAX_RUNS || process.memoryUsage().rss > RETIRE_RSS) return false;
  return (await instanceState(state.opened.sandbox.instance).catch(() => null)) === state.opened.state;
}

/** How a query ended: the reply that ends it. */
type End = Extract<Reply, { keep: boolean }>;

async function run(request: Run): Promise<End> {
  const kinds = { onlySelects: true };
  try {
    await writeFrame(replies, { started: true });
    const sandbox = await sandboxFor(request);
    if (state.interrupted) throw new Interrupted();
    state.connection = await sandbox.connect();
    const result = await streamStatements(state.connection, request.text, request.params, kinds);
    const done = await resultBatches(result, request.rowCap, { batch: sendBatch });
    return { done, keep: await reusable(kinds.onlySelects) };
  } catch (e) {
    const failed =
      e instanceof QueryError
        ? { reason: e.reason, memory: false, message: e.message.slice(0, MAX_MESSAGE) }
        : failedWith(e instanceof Error ? e.message : String(e));
    // A query that failed to open its file, or ran out of memory, leaves no process worth keeping.
    const keep = !failed.memory && failed.reason !== 'connect' && (await reusable(kinds.onlySelects));
    return { failed, keep };
  }
}

const failedWith = (message: string) => ({
  memory: OUT_OF_MEMORY.test(message),
  message: message.slice(0, MAX_MESSAGE),
  reason: undefined
});

/** Answers; then waits for the next query, or exits. */
async function serve(request: Run) {
  let keep = false;
  try {
    const reply = await run(request);
    keep = reply.keep;
    await writeFrame(replies, reply);
  } catch {
    process.exit(0); // the server is gone
  }
  if (!keep) process.exit(0); // DuckDB's threads would otherwise keep the process alive a little longer
  state.running = false;
}

function interrupt() {
  state.interrupted = true;
  state.connection?.interrupt();
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
for await (const chunk of process.stdin) {
  for (const frame of reader.push(chunk as Buffer)) {
    const request = RequestSchema.parse(frame.header);
    if (request.op === 'more') {
      state.more?.resolve();
      state.more = null;
    } else if (request.op === 'interrupt') {
      interrupt();
    } else if (state.running) {
      // One query at a time: a second `run` means the server lost track of us. Nothing more is served.
      process.kill(process.pid, 'SIGKILL');
    } else {
      state.running = true;
      void serve(request);
    }
  }
}
// The server closed our stdin: it is gone, or wants nothing more from us, whatever we are doing.
process.kill(process.pid, 'SIGKILL');
