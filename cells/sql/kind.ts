// SQL cell: a query whose result becomes a table named after the cell.
import { z } from 'zod';
import type { CellKind } from '../types';
import { sqlEngine } from './engine';
import { RunRecordSchema } from './run-record';
import { renameReferences } from '../rename-references';
import { scanSql } from './references';

export const SqlConfigSchema = z.object({
  /** 'local' runs in the browser (DuckDB-WASM); otherwise a connection id. Read it with sqlEngine. */
  engine: z.string().default('local')
});
export type SqlConfig = z.infer<typeof SqlConfigSchema>;

/** The assistant sees this much of a query. */
const MAX_SQL = 1500;

export const sqlKind: CellKind<SqlConfig> = {
  kind: 'sql',
  label: 'SQL',
  configSchema: SqlConfigSchema,
  language: 'sql',
  runnable: true,
  named: true,
  defaults: () => ({ source: '', config: { engine: 'local' } }),
  labelOf: (cell) => cell.name || 'Query',
  followRename: ({ source }, from, to) =>
    renameReferences(source, scanSql(source.toString()).inputs, from, to),
  dashboardViews: ['table', 'number'],
  describe: (cell) => {
    const sql = cell.source.length > MAX_SQL ? `${cell.source.slice(0, MAX_SQL)} …` : cell.source;
    const run = RunRecordSchema.safeParse(cell.run);
    const columns = run.success ? run.data.columns?.map((c) => c.name) : undefined;
    const cols = columns?.length ? `\n  result columns: ${columns.join(', ')}` : '\n  (not run yet)';
    return `SQL cell, result table "${cell.name}", engine "${sqlEngine(cell)}":\n  ${sql.replace(/\n/g, '\n  ')}${cols}`;
  }
};

/** Whether `cell` is a SQL cell (for code that handles queries, such as publishing and forks). */
export const isSqlCell = (cell: { kind: string }): boolean => cell.kind === sqlKind.kind;
