// Streams a request body to a file, failing with `tooLarge()` as soon as it passes `limit` bytes — the body is
// never held in memory, and a lying or missing content-length cannot get past the limit.
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export async function writeLimited(
  source: Readable,
  dest: string,
  limit: number,
  tooLarge: () => Error
): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(bytes > limit ? tooLarge() : null, chunk);
    }
  });
  await pipeline(source, counter, createWriteStream(dest));
  return bytes;
}
