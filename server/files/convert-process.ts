// The child process that converts one upload (see convert-isolated.ts): reads the job as JSON from stdin, writes
// one JSON line to stdout. User files can make DuckDB or the Excel parser use unbounded memory or time (a deeply
// nested JSON once crashed the whole server), so this runs apart from the server, under a memory cap, and the
// parent kills it when it takes too long.
import { isAppError } from '../errors';
import { writeBrowserCopy } from './browser-copy';
import { convertToParquet, OUT_OF_MEMORY } from './convert';
import { duckdb, literal } from './duckdb';
import { ConvertJobSchema, type ConvertReply } from './convert-job';

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const job = ConvertJobSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));

let reply: ConvertReply;
try {
  const setup = await (await duckdb()).connect();
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
await new Promise<void>((done) => process.stdout.write(JSON.stringify(reply) + '\n', () => done()));
process.exit(0); // DuckDB's threads would otherwise keep the process alive a little longer
