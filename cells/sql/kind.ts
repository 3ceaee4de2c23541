// SQL cell: a query whose result becomes a table named after the cell.
import { z } from 'zod';
import type { CellKind } from '../types';

export const SqlConfigSchema = z.object({
  /** 'local' runs in the browser (DuckDB-WASM); otherwise a connection id. */
  engine: z.string().default('local')
});
export type SqlConfig = z.infer<typeof SqlConfigSchema>;

export const sqlKind: CellKind<SqlConfig> = {
  kind: 'sql',
  label: 'SQL',
  configSchema: SqlConfigSchema,
  language: 'sql',
  runnable: true,
  named: true,
  defaults: () => ({ source: '', config: { engine: 'local' } })
};
