// Thinning automatic versions with age: all of the last day, the newest of each hour for a week, the newest of
// each day after that. Named and publish versions are kept forever. A thinned version's editors pass to the next
// version kept, whose summary is then computed again against its new predecessor, so the history still says
// who edited and what changed between the versions it lists.
import { compareStates } from '../../cells/versions';
import { jsonValue } from '../db/json-value';
import type { Db } from '../db/types';
import type { NotebookId } from '../ids';
import { KEPT_KINDS, type VersionKind } from './store';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Row = { id: unknown; kind: VersionKind; created_at: Date | string; editors: unknown };

/** Which of a notebook's versions (oldest first) to keep at `now`. */
export function versionsToKeep(rows: { kind: VersionKind; createdAt: number }[], now: number): boolean[] {
  const keep = new Array<boolean>(rows.length).fill(false);
  const buckets = new Set<string>();
  for (let i = rows.length - 1; i >= 0; i--) {
    const { kind, createdAt } = rows[i]!;
    const age = now - createdAt;
    if (KEPT_KINDS.includes(kind) || age < DAY) keep[i] = true;
    else {
      const bucket = age < 7 * DAY ? `h${Math.floor(createdAt / HOUR)}` : `d${Math.floor(createdAt / DAY)}`;
      keep[i] = !buckets.has(bucket); // newest first: the first one seen in its bucket stays
      buckets.add(bucket);
    }
  }
  return keep;
}

export async function thinVersions(db: Db, now: Date = new Date()): Promise<{ deleted: number }> {
  const notebooks = await db.query<{ notebook_id: NotebookId }>(
    `select notebook_id from doc_versions
      where kind not in (${KEPT_KINDS.map((k) => `'${k}'`).join(', ')}) and created_at < $1
      group by notebook_id having count(*) > 1`,
    [new Date(now.getTime() - DAY)]
  );
  let deleted = 0;
  for (const { notebook_id } of notebooks) deleted += await thinNotebook(db, notebook_id, now.getTime());
  return { deleted };
}

async function thinNotebook(db: Db, notebookId: NotebookId, now: number): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`versions:${notebookId}`]);
    const rows = await tx.query<Row>(
      'select id, kind, created_at, editors from doc_versions where notebook_id = $1 order by id',
      [notebookId]
    );
    const keep = versionsToKeep(
      rows.map((r) => ({ kind: r.kind, createdAt: new Date(r.created_at).getTime() })),
      now
    );
    const gone: number[] = [];
    let carried = new Set<string>();
    let lastKept: number | null = null;
    let predecessorGone = false;
    for (let i = 0; i < rows.length; i++) {
      const id = Number(rows[i]!.id);
      if (!keep[i]) {
        gone.push(id);
        for (const e of jsonValue(rows[i]!.editors) as string[]) carried.add(e);
        predecessorGone = true;
        continue;
      }
      if (predecessorGone) {
        // Its predecessor went: it takes over the editors, and its summary is computed from the one before.
        const editors = new Set([...(jsonValue(rows[i]!.editors) as string[]), ...carried]);
        const states = await tx.query<{ id: unknown; state: unknown }>(
          'select id, state from doc_versions where id in ($1, $2)',
          [id, lastKept ?? id]
        );
        const stateOf = (v: number) =>
          states.find((s) => Number(s.id) === v)?.state as Uint8Array | undefined;
        const before = lastKept ? stateOf(lastKept) : undefined;
        const summary = compareStates(
          before ? new Uint8Array(before) : new Uint8Array([0, 0]),
          new Uint8Array(stateOf(id)!),
          { lines: false }
        ).summary;
        await tx.query(
          'update doc_versions set editors = $2::text::jsonb, summary = $3::text::jsonb where id = $1',
          [id, JSON.stringify([...editors].sort()), JSON.stringify(summary)]
        );
      }
      carried = new Set();
      lastKept = id;
      predecessorGone = false;
    }
    if (gone.length > 0)
      await tx.query(
        'delete from doc_versions where id in (select jsonb_array_elements_text($1::text::jsonb)::bigint)',
        [JSON.stringify(gone)]
      );
    return gone.length;
  });
}
