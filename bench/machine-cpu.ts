// Where a machine's CPU went during a bench run, from /proc: the whole machine's busy share, and the CPU time of
// named groups of processes (the bench's own children by pid, database servers by command name). On a machine with
// few cores the load generator, PostgreSQL and Redis compete with the server being measured; this says how much.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export type Groups = Record<string, (pid: number, comm: string) => boolean>;
type Sample = { busy: number; total: number; byGroup: Map<string, number> };

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!; // "cpu  user nice system idle iowait …"
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  return { busy: total - idle, total };
}

function processTicks(pid: number): { comm: string; ticks: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null; // it exited meanwhile
  }
}

function sample(groups: Groups): Sample {
  const byGroup = new Map<string, number>(Object.keys(groups).map((g) => [g, 0]));
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const p = processTicks(pid);
    if (!p) continue;
    for (const [g, test] of Object.entries(groups)) {
      if (test(pid, p.comm)) {
        byGroup.set(g, byGroup.get(g)! + p.ticks);
        break;
      }
    }
  }
  return { ...machineTicks(), byGroup };
}

/** Starts counting; the returned function stops and describes the interval in one line. */
export function machineCpu(groups: Groups): () => string {
  const before = sample(groups);
  return () => {
    const after = sample(groups);
    const cores = cpus().length;
    const total = after.total - before.total; // ticks over all cores
    const share = (ticks: number) => `${((ticks / total) * cores * 100).toFixed(0)}%`;
    const parts = [...after.byGroup].map(([g, t]) => `${g} ${share(t - before.byGroup.get(g)!)}`);
    return (
      `machine CPU busy ${(((after.busy - before.busy) / total) * 100).toFixed(0)}% of ${cores} cores; ` +
      `in cores: ${parts.join(', ')}`
    );
  };
}
