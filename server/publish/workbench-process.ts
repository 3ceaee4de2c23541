// The child process that holds one dashboard refresh's DuckDB (see workbench.ts): reads request frames from
// stdin, answers each on fd 3 (workbench-protocol.ts, framed by connectors/duckdb/frames.ts), one at a time,
// and exits when stdin ends. The author's SQL runs here because hostile SQL can make DuckDB outgrow its memory
// limit or crash outright (a deeply nested JSON literal does both); then only this process dies, under its
// memory cap, and the server reports it.
// Replies go to fd 3 rather than stdout so that nothing else printing to stdout can garble a frame.
import net from 'node:net';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { withoutPaths } from '../files/without-paths';
import { FrameReader, writeFrame } from '../connectors/duckdb/frames';
import { openEngine, type Workbench } from './workbench-engine';
import { RequestSchema, type Reply } from './workbench-protocol';

type Answer = { reply: Reply; payload?: Uint8Array };

const replies = new net.Socket({ fd: 3, readable: false, writable: true });
/** Set by the first request; an object so TypeScript sees it change under the loop below. */
const state: { bench: Workbench | null; paths: string[] } = { bench: null, paths: [] };

function opened(): Workbench {
  if (!state.bench) throw new Error('The workbench was not opened.');
  return state.bench;
}

async function answer(header: unknown, payload: Buffer): Promise<Answer> {
  const request = RequestSchema.parse(header);
  switch (request.op) {
    case 'open':
      state.paths = request.files.map((f) => f.path);
      state.bench = await openEngine(request.files, request.timeoutS);
      return { reply: { ok: true } };
    case 'runInto':
      await opened().runInto(request.name, request.sql, request.params);
      return { reply: { ok: true } };
    case 'load':
      await opened().load(request.name, tableFromIPC(payload));
      return { reply: { ok: true } };
    case 'query':
      return { reply: { ok: true }, payload: tableToIPC(await opened().query(request.sql), 'stream') };
    case 'tableColumns':
      return { reply: { ok: true, data: await opened().tableColumns() } };
    case 'exportParquet':
      state.paths.push(request.dir);
      return {
        reply: {
          ok: true,
          data: await opened().exportParquet(request.name, request.columns, request.dir, request.file)
        }
      };
    case 'checkReplay':
      state.paths.push(...request.tables.map((t) => t.path));
      return {
        reply: { ok: true, data: await opened().checkReplay(request.tables, request.cells, request.standIns) }
      };
    case 'precompute':
      state.paths.push(request.dir, ...request.tables.map((t) => t.path));
      return {
        reply: {
          ok: true,
          data: await opened().precompute(request.tables, request.groups, request.dir, request.limits)
        }
      };
  }
}

function failure(e: unknown): Reply {
  const message = e instanceof Error ? e.message : String(e);
  // DuckDB's own wording suggests a temp directory, which a dashboard cannot have: the server says it plainly.
  if (/out of memory|allocation failure|bad_alloc/i.test(message)) return { error: '', memory: true };
  // The dashboard's editors read this: the server's folders (the Parquet files' paths) stay out of it.
  return { error: withoutPaths(message, state.paths).slice(0, 4000), memory: false };
}

// A server that dies mid-statement cannot kill us, and stdin's end is only read between requests: leave when
// orphaned rather than finish a runaway statement for nobody. SIGKILL, because process.exit() would wait for
// DuckDB's running statement while tearing the database down.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && process.kill(process.pid, 'SIGKILL'), 1000).unref();

const reader = new FrameReader();
for await (const chunk of process.stdin) {
  for (const frame of reader.push(chunk as Buffer)) {
    let out: Answer;
    try {
      out = await answer(frame.header, frame.payload);
    } catch (e) {
      out = { reply: failure(e) };
    }
    await writeFrame(replies, out.reply, out.payload);
  }
}
state.bench?.close();
process.exit(0); // DuckDB's threads would otherwise keep the process alive a little longer
