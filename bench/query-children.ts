// Counts the file-connection query processes (server/connectors/duckdb/query-process.ts) a running app starts, by
// listing its children in /proc every few milliseconds: a count of spawns per filter change does not depend on
// the machine's load, as timings do. A child lives at least as long as Node, tsx and DuckDB take to load (hundreds
// of milliseconds), so a 100 ms poll sees every one; polling more often took CPU from the browser being measured.
import { readdir, readFile } from 'node:fs/promises';

export type ChildWatch = {
  /** How many distinct query processes have been seen so far. */
  seen(): number;
  stop(): void;
};

export function watchQueryChildren(parent: number, everyMs = 100): ChildWatch {
  const pids = new Set<number>();
  let busy = false;
  const poll = async () => {
    if (busy) return;
    busy = true;
    try {
      // Its children, from each of its threads' list (libuv may fork from any of them).
      for (const task of await readdir(`/proc/${parent}/task`).catch(() => [])) {
        const children = await readFile(`/proc/${parent}/task/${task}/children`, 'utf8').catch(() => '');
        for (const pid of children.split(' ').filter(Boolean).map(Number)) {
          if (pids.has(pid)) continue;
          const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
          if (cmdline.includes('query-process')) pids.add(pid);
        }
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), everyMs);
  return { seen: () => pids.size, stop: () => clearInterval(timer) };
}
