// The child processes that run file-connection queries (query-process.ts): kept, one query at a time, for later
// queries on the same connection and file (query-pool.ts), and one spare started ahead. Starting Node, tsx and
// DuckDB takes the better part of a second of CPU, far longer than a small query, and a dashboard of ten charts
// asks ten queries at once. A new key takes the spare (which holds no DuckDB slot and opens no file until it is
// given a query), else a new process; after each query a spare is started, unless one waits. Waiting processes keep
// neither the server's event loop alive nor themselves past their idle time, and end with the server (their stdin
// closes).
import path from 'node:path';
import { lifecycleOf, Spare, spawnDuckdbChild, type DuckdbChild, type Exit, type Lifecycle } from './child';
import { FrameReader, writeFrame, type Frame } from './frames';
import { ChildPool } from './query-pool';
import type { Request } from './query-protocol';
import { nativeDuckdb } from './slots';

/** The child's data segment: DuckDB's 1 GB of buffers, its allocations outside them, Node and a batch or two. */
const MEMORY_MB = 2048;
/** V8's share of that: a batch of 50,000 rows as JS values and Arrow, and its IPC copy. */
const HEAP_MB = 1024;
const SPARE_IDLE_MS = 10 * 60 * 1000;
/** A dashboard's viewer changes filters within minutes; a kept process holds its DuckDB's memory meanwhile. */
const KEPT_IDLE_MS = 5 * 60 * 1000;
/**
 * Limits this side keeps on a process, whatever it says of itself (it runs other people's SQL): after this many
 * queries or this long since it started, it is not kept again.
 */
export const KEPT_MOST_QUERIES = 500;
export const KEPT_MOST_AGE_MS = 15 * 60 * 1000;
// The app runs from its folder (server/index.ts loads build/ the same way), in production and in tests alike.
const ENTRY = path.resolve('server/connectors/duckdb/query-process.ts');

export type { Exit };

export type QueryChild = {
  send(request: Request): void;
  /** The child's next frame, or null once it closed its end; throws on bytes no child of ours would send. */
  next(): Promise<Frame | null>;
  kill(): void;
  /** Settles once the process has ended and every frame it wrote has been read (or thrown away). */
  exited: Promise<Exit>;
  ended(): boolean;
  /** The end of what it wrote to stderr, to log why it died. */
  stderr(): string;
  pid: number | undefined;
};

type Started = QueryChild &
  Lifecycle & {
    idle(on: boolean): void;
    /** Whether nothing it sent is still unread, and it is neither killed nor sending bytes we cannot read. */
    quiet(): boolean;
    /** Queries given to it so far, and when it started. */
    queries: number;
    readonly born: number;
  };

function start(asSpare: boolean): Started {
  const child: DuckdbChild = spawnDuckdbChild(
    ENTRY,
    { memoryMb: MEMORY_MB, heapMb: HEAP_MB },
    asSpare ? ['--spare'] : []
  );
  const life = lifecycleOf(child);
  const reader = new FrameReader();
  const frames: Frame[] = [];
  let closed = false;
  let killed = false;
  let broken: Error | null = null;
  // Killed means done with, at once: 'close' may come later, and meanwhile nobody may be handed it.
  const kill = () => {
    killed = true;
    life.kill();
  };
  // A spare has nothing to say before its first query either.
  let idle = asSpare;
  let wake: (() => void) | null = null;
  const wakeUp = () => {
    wake?.();
    wake = null;
  };
  child.replies.on('data', (chunk: Buffer) => {
    try {
      frames.push(...reader.push(chunk));
    } catch (e) {
      broken = e as Error;
      kill();
    }
    // Nobody asked: whatever it says between queries is out of turn, and it is not trusted with another.
    if (idle && frames.length) kill();
    wakeUp();
  });
  const end = () => {
    closed = true;
    wakeUp();
  };
  child.replies.on('end', end).on('close', end);
  void life.exited.then(end);
  return {
    ...life,
    send: (request) => void writeFrame(child.requests, request).catch(() => undefined),
    async next() {
      for (;;) {
        if (broken) throw broken;
        const frame = frames.shift();
        if (frame) return frame;
        if (closed) return null;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    idle: (on) => void (idle = on),
    kill,
    ended: () => killed || life.ended(),
    quiet: () => frames.length === 0 && !broken && !killed && !life.ended(),
    queries: 0,
    born: Date.now(),
    pid: child.process.pid,
    stderr: () => child.stderr() + life.spawnError()
  };
}

const spare = new Spare<Started>(SPARE_IDLE_MS);
/** In all, as many as may run at once (each may hold up to its memory cap). */
const kept = new ChildPool<Started>(nativeDuckdb.max, KEPT_IDLE_MS);

/**
 * A child for one query on `key` (query-pool.ts) of connection `owner`: one kept for that key if one waits, else
 * the spare, else a new one. Give it back with `keepChild` once it answered cleanly; otherwise kill it.
 */
export function takeChild(key: string, owner: string): QueryChild {
  const child = kept.take(key, owner) ?? spare.take(() => start(false));
  child.idle(false);
  child.queries++;
  return child;
}

/**
 * After a clean query whose child said it may run another: keeps it for the next query on `key`, unless it has
 * served its share (KEPT_MOST_QUERIES, KEPT_MOST_AGE_MS) or something it sent is still unread (the next query
 * would take that for its own answer); then it is killed.
 */
export function keepChild(child: QueryChild, key: string, owner: string, perKey: number): void {
  const c = child as Started;
  const spent = c.queries >= KEPT_MOST_QUERIES || Date.now() - c.born >= KEPT_MOST_AGE_MS;
  if (spent || !c.quiet()) return c.kill();
  kept.give(key, owner, c, perKey);
}

/** After a query: starts a spare for the next one, unless one is waiting. */
export const keepSpare = (): void => spare.keep(() => start(true));

/** Ends the spare and every kept child (tests, and a server shutting down, want no process left behind). */
export const dropIdleChildren = async (): Promise<void> => {
  await Promise.all([spare.drop(), kept.drop()]);
};

/** The process ids of the children waiting for a query of their key (tests). */
export const keptChildren = (): number[] => kept.children().map((c) => c.pid ?? 0);
