// The notebook's inputs for SQL run on the server (a dashboard refresh, the demo seed): the values stored in the
// document (cells/input/bound-inputs.ts), with an "empty means all" multi-select over a column binding that
// column's distinct values, read from the result already in the workbench. Local cells are compiled here and
// their values travel beside the SQL to the workbench child, which binds them as a prepared statement's.
import { DataType } from 'apache-arrow';
import {
  choicesFrom,
  columnChoicesNeeded,
  notebookInputValues,
  type InputCellLike
} from '../../cells/input/bound-inputs';
import type { Option } from '../../cells/input/config';
import { compileParameters, MAX_LIST, type InputValues } from '../../cells/sql/parameters';
import { ident } from '../../cells/sql/quote';
import type { Workbench } from './workbench-engine';

export type BenchInputs = {
  /** The inputs now; a column's values are read once its result (named in `ran`, lower-case) is in the bench. */
  values(ran: ReadonlySet<string>): Promise<InputValues>;
};

export function benchInputs(bench: Workbench, cells: readonly InputCellLike[]): BenchInputs {
  const needed = columnChoicesNeeded(cells);
  const key = (source: string, column: string) => `${source.toLowerCase()}\u0000${column}`;
  const read = new Map<string, Option[]>();
  return {
    async values(ran) {
      for (const { source, column } of needed) {
        if (read.has(key(source, column)) || !ran.has(source.toLowerCase())) continue;
        read.set(key(source, column), await distinctValues(bench, source, column));
      }
      return notebookInputValues(cells, (source, column) => read.get(key(source, column)));
    }
  };
}

/** The column's distinct values as choices; a column that is not there offers none (as in the notebook). */
export async function distinctValues(bench: Workbench, source: string, column: string): Promise<Option[]> {
  let table;
  try {
    table = await bench.query(
      `select distinct v, cast(v as varchar) as s from (select ${ident(column)} as v from ${ident(source)})
        where v is not null order by v limit ${MAX_LIST}`
    );
  } catch {
    return [];
  }
  const type = table.schema.fields[0]?.type;
  const numeric = !!type && (DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type));
  return choicesFrom(table.getChild('s')?.toArray() ?? [], numeric);
}

/** Runs a local cell into the bench with the inputs bound (a ParameterError names a missing input). */
export async function runLocalCell(bench: Workbench, name: string, sql: string, inputs: InputValues) {
  const q = compileParameters(sql, 'duckdb', inputs);
  await bench.runInto(name, q.sql, q.params);
}
