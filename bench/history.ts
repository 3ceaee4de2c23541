// bench:history — what a version costs: storage per checkpoint, and the time to take one, open one and compare it
// with now, for notebooks of 10, 100 and 1,000 cells with some editing history. The baseline, measured in the same
// run, is loading the live document from the database (snapshot + log), what opening a notebook costs the server.
// Runs on PGlite in memory, or on PostgreSQL when TEST_DATABASE_URL is set.
//   npm run bench:history
import * as Y from 'yjs';
import { orderedCells, type NewCell } from '../cells/document';
import { compareDocs, docFromState, plainCells } from '../cells/versions';
import { loadDoc } from '../server/collab/doc-store';
import { roomsFor } from '../server/collab/rooms';
import { createNotebook } from '../server/notebooks/notebooks';
import { getVersion } from '../server/versions/store';
import { person } from '../tests/integration/helpers/people';
import { freshDb } from '../tests/integration/helpers/test-db';

const SIZES = [10, 100, 1000];
const RUNS = 7;

function cellsFor(n: number): NewCell[] {
  return Array.from({ length: n }, (_, i) =>
    i % 3 === 0
      ? {
          kind: 'sql',
          name: `q${i}`,
          source: `select region, sum(amount) as total\nfrom orders_${i}\nwhere year = 2024\ngroup by region\norder by total desc`
        }
      : i % 3 === 1
        ? {
            kind: 'text',
            source: `## Step ${i}\n\nWhat this part of the analysis shows, in a sentence or two of prose.`
          }
        : { kind: 'chart', config: { source: `q${i - 2}`, mark: 'bar', x: 'region', y: 'total' } }
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

const t = await freshDb();
const db = t.db;
const owner = await person(db, 'Bench');
const rows: string[][] = [];
try {
  for (const n of SIZES) {
    const nb = await createNotebook(db, owner.id, owner.workspaceId, { title: `Bench ${n}` }, cellsFor(n));
    const rooms = roomsFor(db);
    // History: 20 sessions of typing (a word at a time) and deleting in 5% of the cells.
    let seed = n;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let round = 0; round < 20; round++) {
      await rooms.edit(nb.id, (doc) => {
        const cells = orderedCells(doc);
        for (let k = 0; k < Math.max(1, n / 20); k++) {
          const src = cells[Math.floor(rand() * cells.length)]!.source;
          for (const w of ['-- note', ' by', ' someone']) src.insert(src.length, w);
          if (src.length > 40) src.delete(Math.floor(rand() * 20), 5);
        }
      });
    }
    const baseline = await time(async () => (await loadDoc(db, nb.id)).destroy());

    const ids: number[] = [];
    const take = await time(async () => {
      const v = await rooms.withRoom(nb.id, (r) => r.checkpoint('named', { label: 'bench', force: true }));
      ids.push(v!.id);
    });
    const [size] = await db.query<{ raw: number; stored: number }>(
      'select octet_length(state) as raw, pg_column_size(state) as stored from doc_versions where id = $1',
      [ids[0]]
    );

    const open = await time(async () => {
      const v = await getVersion(db, nb.id, ids[0]!);
      const doc = docFromState(v!.state);
      plainCells(doc);
      doc.destroy();
    });

    // Now: 10% of the cells changed, 1% deleted, one moved.
    await rooms.edit(nb.id, (doc) => {
      const cells = orderedCells(doc);
      cells.forEach((c, i) => {
        if (i % 10 === 0) c.source.insert(0, '-- changed since\n');
        if (i % 100 === 5) doc.getMap('cells').delete(c.id);
      });
    });
    const live = await loadDoc(db, nb.id);
    const v = await getVersion(db, nb.id, ids[0]!);
    let summary = '';
    const diff = await time(() => {
      const before = docFromState(v!.state);
      summary = JSON.stringify(compareDocs(before, live).summary);
      before.destroy();
    });
    // The alternative considered: Y.snapshot against a document kept with gc off. The snapshot is tiny, but only
    // the whole history (never garbage-collected, never compacted) can turn it back into a document.
    const gcOff = new Y.Doc({ gc: false });
    Y.applyUpdate(gcOff, Y.encodeStateAsUpdate(live));
    const snapshotBytes = Y.encodeSnapshotV2(Y.snapshot(gcOff)).length;
    live.destroy();

    const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    const ratio = (x: number) => `${(x / baseline).toFixed(2)}×`;
    rows.push([
      String(n),
      kb(Number(size!.raw)),
      kb(Number(size!.stored)),
      `${snapshotBytes} B`,
      ms(baseline),
      ms(take),
      `${ms(open)} (${ratio(open)})`,
      `${ms(diff)} (${ratio(diff)})`,
      summary
    ]);
  }
} finally {
  await roomsFor(db).closeAll();
  await t.cleanup();
}

const head = [
  'cells',
  'state',
  'stored (TOAST)',
  'Y.snapshot alt.',
  'baseline: load live',
  'take checkpoint',
  'open version (× baseline)',
  'diff vs now (× baseline)',
  'diff summary'
];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
console.log(`bench:history on ${db.kind}, median of ${RUNS} runs`);
console.log(line(head));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
