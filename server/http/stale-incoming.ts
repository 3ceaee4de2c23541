// Housekeeping for writes a crash or restart cut off: uploads stream into `.incoming-*` folders (files) or files
// (stored results) and are renamed into place only when complete, so what is left under that prefix is rubbish
// once nothing has touched it for a while. Run at start and hourly with the other housekeeping.
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

const INCOMING = '.incoming-';
/** Nothing written for this long: not an upload in progress (those write continuously, convert within limits). */
const STALE_MS = 3600_000;

async function newestChange(p: string): Promise<number> {
  const own = await stat(p).catch(() => null);
  if (!own) return 0;
  if (!own.isDirectory()) return own.mtimeMs;
  const inside = await readdir(p).catch(() => [] as string[]);
  const times = await Promise.all(
    inside.map((e) =>
      stat(path.join(p, e)).then(
        (s) => s.mtimeMs,
        () => 0
      )
    )
  );
  return Math.max(own.mtimeMs, ...times);
}

/** Removes stale `.incoming-*` entries under DATA_DIR/files/<workspace>/ and DATA_DIR/results/<notebook>/. */
export async function purgeStaleIncoming(dataDir: string, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const area of ['files', 'results']) {
    const root = path.join(dataDir, area);
    for (const owner of await readdir(root).catch(() => [] as string[])) {
      for (const name of await readdir(path.join(root, owner)).catch(() => [] as string[])) {
        if (!name.startsWith(INCOMING)) continue;
        const entry = path.join(root, owner, name);
        if (now - (await newestChange(entry)) < STALE_MS) continue;
        await rm(entry, { recursive: true, force: true });
        removed++;
      }
    }
  }
  return removed;
}
