// Which of a dashboard's re-run cells (cells/interactive.ts, ReplayCell) a card's result depends on: the cells named
// and every re-run cell they read, directly or through others. A connection cell is included but not followed
// (the server runs it whole). Shared by the viewer's page (src/lib/dashboard/recompute.ts), the server's first
// paint (server/publish/first-paint-run.ts) and precomputed answers (server/publish/precompute.ts).
import type { ReplayCell } from './interactive';
import { referencedNames } from './sql/references';

/** Lower-cased names. */
export function replayUpstream(cells: readonly ReplayCell[], names: Iterable<string>): Set<string> {
  const byName = new Map(cells.map((c) => [c.name.toLowerCase(), c]));
  const out = new Set<string>();
  const visit = (n: string) => {
    const cell = byName.get(n);
    if (!cell || out.has(n)) return;
    out.add(n);
    if (cell.runsOn === 'browser') for (const r of referencedNames(cell.sql)) visit(r);
  };
  for (const n of names) visit(n.toLowerCase());
  return out;
}
