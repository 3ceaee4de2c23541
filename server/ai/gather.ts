// Collects what the assistant may know about a notebook, from the server's own records: the document as stored,
// the workspace's files (with a few sample values read from their Parquet), and connections' cached schemas. A
// connection's schema is only ever read from the cache here: asking the assistant never logs in anywhere.
import { viewOf } from '../../cells/cell-view';
import { orderedCells } from '../../cells/document';
import { isPromptCell, readPromptConfig } from '../../cells/prompt/kind';
import { cellKind } from '../../cells/registry';
import { isSqlCell } from '../../cells/sql/kind';
import { readRun } from '../../cells/sql/run-record';
import { loadDoc } from '../collab/doc-store';
import { DatabaseSchemaSchema } from '../connectors/schema-types';
import { jsonValue } from '../db/json-value';
import type { Queryable } from '../db/types';
import type { NotebookId, UserId, WorkspaceId } from '../ids';
import { duckdb, literal } from '../files/duckdb';
import { listFiles, parquetPath } from '../files/files';
import type { CellInfo, TableInfo } from './context';

const SAMPLES = 3;

export type Gathered = {
  title: string;
  cells: CellInfo[];
  tables: TableInfo[];
  /** Result names in the notebook (all cells), with their columns when known. */
  results: Map<string, string[] | null>;
  /** Uploaded files' table names (a generated result must not shadow one). */
  fileTables: string[];
  engines: Set<string>;
};

export async function gather(
  db: Queryable,
  dataDir: string,
  args: {
    userId: UserId;
    workspaceId: WorkspaceId;
    notebookId: NotebookId;
    title: string;
    beforeCellId: string | null;
  }
): Promise<Gathered> {
  const doc = await loadDoc(db, args.notebookId);
  // Cells the asking prompt generated last time are about to be replaced (regenerate): leave them out, even if
  // their deletion has not reached the server yet.
  const prompt = orderedCells(doc).find((c) => c.id === args.beforeCellId);
  const replaced = new Set(
    prompt && isPromptCell(prompt) ? readPromptConfig(prompt.config.toJSON()).generated : []
  );
  const all = orderedCells(doc).filter((c) => !replaced.has(c.id));
  const stop = args.beforeCellId ? all.findIndex((c) => c.id === args.beforeCellId) : -1;
  const above = stop >= 0 ? all.slice(0, stop) : all;
  const results = new Map<string, string[] | null>();
  for (const c of all) {
    if (!isSqlCell(c) || !c.name) continue;
    results.set(c.name, readRun(c.run)?.columns?.map((col) => col.name) ?? null);
  }
  const cells: CellInfo[] = above.flatMap((c) => {
    const kind = cellKind(c.kind);
    return kind ? [{ text: kind.describe(viewOf(c)) }] : [];
  });

  const tables: TableInfo[] = [];
  const files = await listFiles(db, args.userId, args.workspaceId);
  for (const f of files) {
    tables.push({
      name: f.tableName,
      where: 'uploaded file',
      engine: 'local',
      rows: f.rowCount,
      columns: await withSamples(parquetPath(dataDir, args.workspaceId, f.id), f.columns)
    });
  }
  const engines = new Set(['local']);
  const rows = await db.query<{ id: string; name: string; kind: string; schema_cache: unknown }>(
    'select id, name, kind, schema_cache from connections where workspace_id = $1 order by lower(name)',
    [args.workspaceId]
  );
  for (const r of rows) {
    engines.add(r.id);
    const schema = DatabaseSchemaSchema.safeParse(jsonValue(r.schema_cache));
    if (!schema.success) continue;
    for (const t of schema.data.tables) {
      const name = t.schema === schema.data.defaultSchema ? t.name : `${t.schema}.${t.name}`;
      tables.push({ name, where: `${r.kind} connection "${r.name}"`, engine: r.id, columns: t.columns });
    }
  }
  for (const c of all) {
    const columns = isSqlCell(c) && c.name ? readRun(c.run)?.columns : undefined;
    if (columns) tables.push({ name: c.name, where: 'result of an earlier cell', engine: 'local', columns });
  }
  return { title: args.title, cells, tables, results, engines, fileTables: files.map((f) => f.tableName) };
}

/** A few values of each column, so the model sees formats ("2001-01-01", "DTW"). */
async function withSamples(parquet: string, columns: { name: string; type: string }[]) {
  try {
    const conn = await (await duckdb()).connect();
    try {
      const reader = await conn.runAndReadAll(
        `select * from read_parquet(${literal(parquet)}) limit ${SAMPLES}`
      );
      const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
      return columns.map((c) => ({
        ...c,
        samples: rows
          .map((r) => r[c.name])
          .filter((v) => v !== null && v !== undefined)
          .map((v) => String(v))
      }));
    } finally {
      conn.closeSync();
    }
  } catch {
    return columns; // samples are a nicety; the schema alone still works
  }
}
