// The child process that converts one upload (see convert-isolated.ts): loads its modules and DuckDB, waits for
// the job as JSON on stdin (until it closes: a spare waits there until it is given one), then writes one JSON
// line on fd 3 and exits. User files can make DuckDB or the Excel parser use unbounded memory or time (a deeply
// nested JSON once crashed the whole server), so this runs apart from the server, under a memory cap, and the
// parent kills it when it takes too long.
import net from 'node:net';
import { isAppError } from '../errors';
import { writeBrowserCopy } from './browser-copy';
import { convertToParquet, OUT_OF_MEMORY } from './convert';
import { duckdb, literal } from './duckdb';
import { ConvertJobSchema, type ConvertReply } from './convert-job';

const instance = await duckdb(); // started before the job comes: that is what a spare is for

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
// No job: the server went away (or dropped its spare) before giving one.
if (chunks.length === 0) process.exit(0);
const job = ConvertJobSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));

let reply: ConvertReply;
try {
  const setup = await instance.connect();
  // Spills go beside the upload (removed with it), never into the server's working folder.
  await setup.run(`set memory_limit = '${job.duckdbMemoryMb}MB'`);
  await setup.run(`set temp_directory = ${literal(job.workDir)}`);
  setup.closeSync();
  const converted = await convertToParquet(job.format, job.src, job.parquet, {
    maxRows: job.maxRows,
    maxUncompressedBytes: job.maxUncompressedBytes
  });
  await writeBrowserCopy(job.parquet, job.browserCopy);
  reply = { ok: converted };
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  reply = isAppError(e)
    ? { error: { code: e.code === 'too_large' ? 'too_large' : 'invalid', message: e.message } }
    : /out of memory|allocation failure/i.test(message)
      ? { error: { code: 'invalid', message: OUT_OF_MEMORY } }
      : { error: { code: 'unavailable', message: '' }, detail: message.slice(0, 500) };
}
const out = new net.Socket({ fd: 3, readable: false, writable: true });
await new Promise<void>((done) => out.end(JSON.stringify(reply) + '\n', () => done()));
process.exit(0); // DuckDB's threads would otherwise keep the process alive a little longer
