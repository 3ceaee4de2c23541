// The child processes that run file-connection queries (query-process.ts), one query each, and the one spare
// kept started between queries. Starting Node, tsx and DuckDB takes the better part of a second, far longer
// than a small query, so after each query a fresh child is started to wait for the next one. The spare holds no
// DuckDB slot and opens no file until it is given a query; it keeps neither the server's event loop alive nor
// itself past ten idle minutes, and ends with the server (its stdin closes).
import path from 'node:path';
import { lifecycleOf, Spare, spawnDuckdbChild, type DuckdbChild, type Exit, type Lifecycle } from './child';
import { FrameReader, writeFrame, type Frame } from './frames';
import type { Request } from './query-protocol';

/** The child's data segment: DuckDB's 1 GB of buffers, its allocations outside them, Node and a batch or two. */
const MEMORY_MB = 2048;
/** V8's share of that: a batch of 50,000 rows as JS values and Arrow, and its IPC copy. */
const HEAP_MB = 1024;
const SPARE_IDLE_MS = 10 * 60 * 1000;
// The app runs from its folder (server/index.ts loads build/ the same way), in production and in tests alike.
const ENTRY = path.resolve('server/connectors/duckdb/query-process.ts');

export type { Exit };

export type QueryChild = {
  send(request: Request): void;
  /** The child's frames, until it closes its end; throws on bytes no child of ours would send. */
  replies(): AsyncGenerator<Frame>;
  kill(): void;
  /** Settles once the process has ended and every frame it wrote has been read (or thrown away). */
  exited: Promise<Exit>;
  ended(): boolean;
  /** The end of what it wrote to stderr, to log why it died. */
  stderr(): string;
};

type Started = QueryChild & Lifecycle;

function start(asSpare: boolean): Started {
  const child: DuckdbChild = spawnDuckdbChild(
    ENTRY,
    { memoryMb: MEMORY_MB, heapMb: HEAP_MB },
    asSpare ? ['--spare'] : []
  );
  const life = lifecycleOf(child);
  return {
    ...life,
    send: (request) => void writeFrame(child.requests, request).catch(() => undefined),
    async *replies() {
      const reader = new FrameReader();
      for await (const chunk of child.replies) yield* reader.push(chunk as Buffer);
    },
    stderr: () => child.stderr() + life.spawnError()
  };
}

const spare = new Spare<Started>(SPARE_IDLE_MS);

/** A child for one query: the spare if there is one, else a new one. Kill it if you do not use it. */
export const takeChild = (): QueryChild => spare.take(() => start(false));

/** After a query: starts a spare for the next one, unless one is waiting. */
export const keepSpare = (): void => spare.keep(() => start(true));

/** Ends the spare, if any (tests, and a server shutting down, want no process left behind). */
export const dropSpare = (): Promise<void> => spare.drop();
