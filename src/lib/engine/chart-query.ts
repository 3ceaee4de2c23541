// What a chart reads, in the notebook and on its dashboard: the notebook's DuckDB over the tables the chart's cell
// may read, or, for a small result stored in full, that stored copy, so charts of stored results draw without
// starting the engine.
import type { Query } from '$cells/chart/chart-data';
import type { BrowserDuckDB } from './engine';
import type { RunContext } from './run-context';
import { storedTable } from './stored-results';

export const chartQuery = (duckdb: BrowserDuckDB, context: RunContext, cellId: string): Query =>
  Object.assign((sql: string) => duckdb.query(sql, context.sources(cellId)), {
    stored: (source: string, maxRows: number) => {
      // A viewer's own result is not stored anywhere: the chart reads it from the engine.
      const cell = context.earlier(cellId).find((c) => c.name === source);
      if (cell && context.forMe(cell.id)) return Promise.resolve(null);
      return storedTable(context.notebookId, context.earlier(cellId), source, maxRows);
    }
  });
