// An uploaded file as a table in DuckDB-WASM, filled only with what queries have needed so far. Each row group
// read so far is a table in `__sheaf_files` (an in-memory database that compresses) holding the columns read of
// it; the file's table name is a view over them all (UNION ALL BY NAME) with every column of the file. Where a
// group lacks a column the view shows NULL: only queries whose filters exclude every row of that group run
// without it, and a comparison with NULL excludes the row as well. A column no group holds raises an error if
// read, so a query that was not planned never sees a silent NULL. Nothing is fetched twice.
import type { AsyncDuckDBConnection } from '@duckdb/duckdb-wasm';
import { ident } from '$cells/sql/quote';
import { codecFor, viewColumn, type ColumnCodec } from './column-codec';
import { mayMatch } from './filters';
import type { ScanNeed } from './needs';
import type { PiecesCost } from './read-choice';
import { openRemoteParquet, readGroups, type RemoteParquet } from './reader';
import { traced } from '../trace';

export type FileColumn = { name: string; type: string };

/** An in-memory database that compresses what it holds, like a database file would. */
const STORE = '__sheaf_files';

export class FileTable {
  private readonly prefix: string;
  private groups = new Map<number, Set<string>>(); // row group → the columns read of it
  private merged = false; // the groups are one table now (merge)
  private codecs = new Map<string, ColumnCodec | null>();

  private constructor(
    readonly fileId: string,
    private pq: RemoteParquet,
    private columns: FileColumn[]
  ) {
    this.prefix = `__sheaf_file_${fileId}_`;
    for (const c of columns) {
      const el = pq.elements.get(c.name);
      this.codecs.set(c.name, el ? codecFor(el, c.type) : null);
    }
  }

  static async open(fileId: string, url: string, columns: FileColumn[]): Promise<FileTable> {
    return new FileTable(fileId, await openRemoteParquet(url), columns);
  }

  /** Whether every column in `names` can be read in pieces (otherwise the whole file has to be used). */
  canRead(names: Iterable<string>): boolean {
    for (const n of names) if (!this.codecs.get(n)) return false;
    return true;
  }

  /** Whether every row group with every column is loaded: no query can need more of the file. */
  get complete(): boolean {
    if (![...this.codecs.values()].every(Boolean)) return false;
    return this.pq.groupRows.every((_, g) => {
      const have = this.groups.get(g);
      return !!have && this.columns.every((c) => have.has(c.name));
    });
  }

  get rowGroupCount(): number {
    return this.pq.groupRows.length;
  }

  /** The row groups a set of scans may find rows in; every group when `scans` is null (the plan is unknown). */
  groupsFor(scans: ScanNeed[] | null): number[] {
    const all = this.pq.groupRows.map((_, i) => i);
    if (!scans) return all;
    return all.filter((g) => scans.some((s) => this.groupMayMatch(g, s)));
  }

  /** The first row groups, enough for `rows` rows (a LIMIT with nothing else to do). */
  firstGroups(rows: number): number[] {
    const out: number[] = [];
    let have = 0;
    for (const [g, n] of this.pq.groupRows.entries()) {
      if (have >= Math.max(rows, 1)) break;
      out.push(g);
      have += n;
    }
    return out;
  }

  /**
   * What loading `columns` of `groups` would still take: the Parquet bytes to fetch and the values to decode and
   * insert (what is loaded already costs nothing).
   */
  cost(groups: number[], columns: Set<string>): PiecesCost {
    let bytes = 0;
    let values = 0;
    for (const g of groups) {
      const have = this.groups.get(g);
      for (const chunk of this.pq.metadata.row_groups[g]!.columns) {
        const path = chunk.meta_data?.path_in_schema ?? [];
        if (path.length !== 1 || !columns.has(path[0]!) || have?.has(path[0]!)) continue;
        bytes += Number(chunk.meta_data!.total_compressed_size);
        values += this.pq.groupRows[g]!;
      }
    }
    return { bytes, values };
  }

  private groupMayMatch(g: number, scan: ScanNeed): boolean {
    const chunks = this.pq.metadata.row_groups[g]!.columns;
    for (const c of scan.comparisons) {
      const codec = this.codecs.get(c.column);
      const cmp = codec?.comparable;
      const path = (x: (typeof chunks)[number]) => x.meta_data?.path_in_schema ?? [];
      const chunk = chunks.find((x) => path(x).length === 1 && path(x)[0] === c.column);
      const stats = chunk?.meta_data?.statistics;
      if (!cmp || !stats || stats.is_min_value_exact === false || stats.is_max_value_exact === false)
        continue;
      const value = cmp.literal(c.value.text, c.value.kind);
      const min = cmp.stat(stats.min_value ?? stats.min);
      const max = cmp.stat(stats.max_value ?? stats.max);
      if (value === null || min === null || max === null) continue;
      if (!mayMatch(c.op, value, min, max)) return false;
    }
    return true;
  }

  /** Makes sure the rows of `groups` with `columns` are in DuckDB, then (re)creates the view `name`. */
  async ensure(
    conn: AsyncDuckDBConnection,
    name: string,
    groups: number[],
    columns: Set<string>
  ): Promise<void> {
    const read = (n: string) => ({ name: n, codec: this.codecs.get(n)! });
    const tmp = ident(this.prefix + 'load');
    let changed = false;
    for (const g of groups) {
      const have = this.groups.get(g);
      const missing = [...columns].filter((c) => !have?.has(c));
      if (have && !missing.length) continue;
      const table = await traced('pieces: fetch+decode', () => readGroups(this.pq, [g], missing.map(read)));
      await conn.query(`attach if not exists ':memory:' as ${STORE} (compress)`);
      await conn.query(`drop table if exists ${tmp}`);
      await conn.insertArrowTable(table, { name: this.prefix + 'load', create: true });
      const target = this.stored(g);
      if (!have) await conn.query(`create or replace table ${target} as select * from ${tmp}`);
      else {
        // The new columns of rows already there, in the same order, joined by position.
        const added = missing.map((c) => `t.${ident(`c_${c}`)}`).join(', ');
        await conn.query(
          `create or replace table ${target} as select g.*, ${added} from ${target} g positional join ${tmp} t`
        );
      }
      await conn.query(`drop table if exists ${tmp}`);
      this.groups.set(g, new Set([...(have ?? []), ...missing]));
      changed = true;
    }
    // Compresses what was added (dictionaries for text, bit-packing…): less memory, and faster queries.
    if (changed) await conn.query(`checkpoint ${STORE}`);
    await traced('pieces: view', () => this.createView(conn, name));
  }

  private stored(group: number): string {
    return `${STORE}.${ident(this.prefix + group)}`;
  }

  /**
   * Once every group is loaded, makes them one table sorted by `orderBy` (the columns filters compare, most often
   * compared first) and points view `name` at it. A query then scans one table instead of a union of per-group
   * views, and DuckDB's zonemaps (each row group's min/max) skip the row groups a filter cannot match: a filter on
   * one of eight categories reads an eighth of the rows. Done once; nothing is fetched.
   */
  async merge(conn: AsyncDuckDBConnection, name: string, orderBy: string[]): Promise<void> {
    if (this.merged || !this.complete) return;
    const known = new Set(this.columns.map((c) => c.name));
    const keys = orderBy.filter((c) => known.has(c)).map((c) => ident(c));
    const all = `${STORE}.${ident(this.prefix + 'all')}`;
    await conn.query(
      `create or replace table ${all} as select * from ${ident(name)}${keys.length ? ` order by ${keys.join(', ')}` : ''}`
    );
    await conn.query(`create or replace view ${ident(name)} as select * from ${all}`);
    for (const g of this.groups.keys()) await conn.query(`drop table if exists ${this.stored(g)}`);
    await conn.query(`checkpoint ${STORE}`);
    this.merged = true;
  }

  async createView(conn: AsyncDuckDBConnection, name: string): Promise<void> {
    if (this.merged) {
      await conn.query(
        `create or replace view ${ident(name)} as select * from ${STORE}.${ident(this.prefix + 'all')}`
      );
      return;
    }
    const loaded = [...this.groups.keys()].sort((a, b) => a - b);
    const held = new Set([...this.groups.values()].flatMap((cols) => [...cols]));
    const from = loaded.length
      ? loaded.map((g) => `select * from ${this.stored(g)}`).join(' union all by name ')
      : 'select 1 as __rg where false'; // nothing read yet: no rows, so no placeholder is ever evaluated
    const cols = this.columns.map((c) =>
      viewColumn(c.name, c.type, this.codecs.get(c.name) ?? null, held.has(c.name))
    );
    await conn.query(
      `create or replace view ${ident(name)} as select ${cols.join(', ') || '1 as empty'} from (${from})`
    );
  }

  async drop(conn: AsyncDuckDBConnection): Promise<void> {
    if (this.merged) await conn.query(`drop table if exists ${STORE}.${ident(this.prefix + 'all')}`);
    else for (const g of this.groups.keys()) await conn.query(`drop table if exists ${this.stored(g)}`);
    this.groups.clear();
    this.merged = false;
  }
}
