// Checks DuckDB's CSV sniffer cannot explain well: binary content, and a quote that is never closed.
import { createReadStream } from 'node:fs';

/** True when the first bytes contain NUL, which text files never do. */
export async function looksBinary(file: string): Promise<boolean> {
  const stream = createReadStream(file, { start: 0, end: 8191 });
  for await (const chunk of stream) if ((chunk as Buffer).includes(0)) return true;
  return false;
}

/** The 1-based line where an unclosed double quote opens, or null when every quote is closed. */
export async function unclosedQuoteLine(file: string): Promise<number | null> {
  let line = 1;
  let inQuote = false;
  let openedAt = 0;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) {
      if (byte === 0x22) {
        inQuote = !inQuote; // a doubled "" inside quotes toggles twice: still inside
        if (inQuote) openedAt = line;
      } else if (byte === 0x0a) line++;
    }
  }
  return inQuote ? openedAt : null;
}
