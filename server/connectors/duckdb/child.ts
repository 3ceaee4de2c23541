// Starts a child process that runs native DuckDB on someone's SQL (a dashboard workbench, a file-connection
// query), so that SQL which crashes DuckDB or outgrows any limit takes only that process down. Its data segment
// (RLIMIT_DATA: heap and private writable mappings) is capped with `ulimit -d`, which DuckDB meets as an
// allocation failure; not `ulimit -v`: tsx's WebAssembly reserves far more address space than it uses.
// The child reads frames (frames.ts) on stdin and answers on fd 3, so that nothing else printing to stdout can
// garble a frame; stderr is kept, its end only, to log why a child died.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** The child gets no secrets: its DuckDB cannot read its environment, and should it ever, there is none. */
const ENV_KEPT = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'LC_ALL', 'NODE_ENV'];

export type DuckdbChild = {
  process: ChildProcess;
  requests: Writable;
  replies: Readable;
  /** The last few KB the child wrote to stderr. */
  stderr(): string;
};

/** `entry` is a TypeScript module run with tsx, from the app's folder (as server/index.ts runs). */
export function spawnDuckdbChild(
  entry: string,
  limits: { memoryMb: number; heapMb: number },
  args: string[] = []
): DuckdbChild {
  const env = Object.fromEntries(ENV_KEPT.flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : [])));
  const child = spawn(
    '/bin/sh',
    [
      '-c',
      'ulimit -d "$1" 2>/dev/null; shift; exec "$@"',
      'sh',
      String(limits.memoryMb * 1024),
      process.execPath,
      `--max-old-space-size=${limits.heapMb}`,
      '--import',
      'tsx',
      entry,
      ...args
    ],
    { stdio: ['pipe', 'ignore', 'pipe', 'pipe'], env }
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (t: string) => (stderr = (stderr + t).slice(-4096)));
  child.stdin!.on('error', () => undefined); // the child may die before reading a request; 'close' says why
  const replies = child.stdio[3] as Readable;
  replies.on('error', () => undefined);
  return { process: child, requests: child.stdin!, replies, stderr: () => stderr };
}
