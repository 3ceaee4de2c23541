// How deeply a JSON file nests, read as a stream of bytes. DuckDB infers one type for the whole nesting, and its
// work grows with the square of the depth (10,000 levels of `[` took ~5 GB and crashed it), so uploads are
// measured before DuckDB sees them. Strings are skipped, with their escapes, so brackets inside text do not count.
import { createReadStream } from 'node:fs';

/** Deeper than real data nests; DuckDB reads this depth in milliseconds. */
export const JSON_DEPTH_LIMIT = 100;

/** True when the file nests objects/arrays deeper than `limit` anywhere (newline-delimited JSON included). */
export async function nestsDeeperThan(file: string, limit = JSON_DEPTH_LIMIT): Promise<boolean> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) {
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === 0x5c)
          escaped = true; // backslash
        else if (byte === 0x22) inString = false;
      } else if (byte === 0x22) inString = true;
      else if (byte === 0x5b || byte === 0x7b) {
        if (++depth > limit) return true;
      } else if (byte === 0x5d || byte === 0x7d) depth = Math.max(0, depth - 1);
    }
  }
  return false;
}
