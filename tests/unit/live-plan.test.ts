// What the server re-runs for viewers comes from the snapshot: only cells its interactive section lists to run on
// the server, with the SQL and connection of the frozen document; published values as SQL bound them.
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { initNotebook, type NewCell } from '../../cells/document';
import { InputConfigSchema } from '../../cells/input/config';
import type { Interactive } from '../../cells/interactive';
import { buildPlan } from '../../server/publish/live-plan';

const CONN = 'aaaaaaaaaaaaaaaa';

function frozen(cells: NewCell[]): Uint8Array {
  const doc = new Y.Doc();
  initNotebook(doc, 'Frozen', cells);
  return Y.encodeStateAsUpdate(doc);
}

const dashboard = (interactive?: Interactive) => ({
  title: 'Frozen',
  description: '',
  items: [],
  builtAt: new Date(0).toISOString(),
  ...(interactive ? { interactive } : {})
});

const {
  value: _v,
  default: _d,
  ...picked
} = InputConfigSchema.parse({
  widget: 'multiselect',
  emptyMeansAll: true,
  options: { from: 'column', source: 'regions', column: 'region' }
});

const interactive: Interactive = {
  inputs: [{ cellId: 'c1', name: 'picked', config: picked, choices: ['north', 'south'], initial: [] }],
  tables: [],
  cells: [
    { runsOn: 'server', name: 'BY_REGION' },
    { runsOn: 'server', name: 'local_one' },
    { runsOn: 'browser', name: 'other_db', sql: 'select 1' }
  ],
  cards: [],
  frozen: []
};

const docState = frozen([
  { kind: 'input', name: 'picked', config: { ...picked } },
  { kind: 'input', name: 'limit_to', config: { widget: 'number', value: 5 } },
  {
    kind: 'sql',
    name: 'by_region',
    source: 'select * from t where region = any({{picked}}) and n < {{limit_to}}',
    config: { engine: CONN }
  },
  { kind: 'sql', name: 'local_one', source: 'select {{picked}}' },
  { kind: 'sql', name: 'other_db', source: 'select 2', config: { engine: CONN } }
]);

describe('buildPlan', () => {
  it('takes only connection cells the snapshot lists to run on the server, SQL from the frozen document', () => {
    const plan = buildPlan(dashboard(interactive), docState);
    expect([...plan.cells.keys()]).toEqual(['by_region']);
    const cell = plan.cells.get('by_region')!;
    expect(cell).toMatchObject({
      name: 'by_region',
      engine: CONN,
      sql: 'select * from t where region = any({{picked}}) and n < {{limit_to}}'
    });
    expect(cell.references.sort()).toEqual(['limit_to', 'picked']);
  });

  it('binds the published values, an "empty means all" list over a column with the choices published', () => {
    const plan = buildPlan(dashboard(interactive), docState);
    expect(plan.published).toEqual({
      picked: { type: 'text_list', value: ['north', 'south'] },
      limit_to: { type: 'number', value: 5 }
    });
    expect(plan.inputs.map((i) => i.name)).toEqual(['picked']);
  });

  it('offers nothing for a snapshot without an interactive section', () => {
    expect(buildPlan(dashboard(), docState).cells.size).toBe(0);
  });
});
