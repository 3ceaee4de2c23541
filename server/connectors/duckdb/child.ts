// Starts a child process that runs native DuckDB on someone's SQL (a dashboard workbench, a file-connection
// query), so that SQL which crashes DuckDB or outgrows any limit takes only that process down. Its data segment
// (RLIMIT_DATA: heap and private writable mappings) is capped with `ulimit -d`, which DuckDB meets as an
// allocation failure; not `ulimit -v`: tsx's WebAssembly reserves far more address space than it uses.
// The child reads frames (frames.ts) on stdin and answers on fd 3, so that nothing else printing to stdout can
// garble a frame; stderr is kept, its end only, to log why a child died.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
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

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** How a started child ends, and whether it may keep this process running. */
export type Lifecycle = {
  /** Settles once the process has ended and everything it wrote has been read. */
  exited: Promise<Exit>;
  ended(): boolean;
  kill(): void;
  /** Whether the child may keep the server (or a test run) from exiting: a waiting spare may not. */
  hold(on: boolean): void;
};

export function lifecycleOf(child: DuckdbChild, onEnd?: () => void): Lifecycle & { spawnError(): string } {
  const proc = child.process;
  let ended = false;
  let spawnError = '';
  const exited = new Promise<Exit>((resolve) => {
    // 'close', not 'exit': by then every answer the child wrote has been read.
    proc.on('close', (code, signal) => {
      ended = true;
      onEnd?.();
      resolve({ code, signal });
    });
    proc.on('error', (e) => {
      if (proc.pid !== undefined) return; // a failed kill of a live child: 'close' still comes
      spawnError = String(e);
      ended = true;
      onEnd?.();
      resolve({ code: null, signal: null });
    });
  });
  const handles = [proc.stdin, proc.stderr, child.replies] as unknown as (Socket | null)[];
  return {
    exited,
    ended: () => ended,
    kill: () => void (ended || proc.kill('SIGKILL')),
    spawnError: () => spawnError,
    hold(on) {
      if (on) proc.ref();
      else proc.unref();
      for (const h of handles) {
        if (on) h?.ref?.();
        else h?.unref?.();
      }
    }
  };
}

/**
 * One child started ahead, loaded and waiting, for the next piece of work: starting Node, tsx and DuckDB takes
 * about half a second. It keeps neither this process alive nor itself past ten idle minutes.
 */
export class Spare<C extends Lifecycle> {
  private waiting: C | null = null;
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs = 10 * 60_000) {}

  /** The spare if there is one that `fits`, else a new child from `start`. Kill it if you do not use it. */
  take(start: () => C, fits: (c: C) => boolean = () => true): C {
    clearTimeout(this.idle);
    const ready = this.waiting && !this.waiting.ended() && fits(this.waiting) ? this.waiting : null;
    if (this.waiting && !ready) this.waiting.kill();
    this.waiting = null;
    const child = ready ?? start();
    child.hold(true);
    return child;
  }

  /** After a piece of work: starts a spare for the next one, unless one is waiting. */
  keep(start: () => C): void {
    clearTimeout(this.idle);
    if (!this.waiting || this.waiting.ended()) {
      this.waiting = start();
      this.waiting.hold(false);
    }
    this.idle = setTimeout(() => void this.drop(), this.idleMs).unref();
  }

  /** Ends the spare, if any (tests, and a server shutting down, want no process left behind). */
  async drop(): Promise<void> {
    clearTimeout(this.idle);
    const s = this.waiting;
    this.waiting = null;
    if (!s) return;
    s.hold(true); // so that waiting for it to end keeps this process up
    s.kill();
    await s.exited;
  }
}
