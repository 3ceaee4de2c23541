// Which re-run cells a publish precomputes for dropdown choices (server/publish/precompute.ts, answerGroups): only
// those following dropdowns alone, through the cells they read, with nothing from a connection upstream and few
// enough choices, grouped by the dropdowns they follow.
import { describe, expect, it } from 'vitest';
import { InteractiveSchema, PublishedInputSchema, type Interactive } from '../../cells/interactive';
import { answerGroups, MAX_CHOICES } from '../../server/publish/precompute';
import { dropdownInput } from '../integration/helpers/published-inputs';

const section = (inputs: unknown[], cells: Interactive['cells']): Interactive =>
  InteractiveSchema.parse({ inputs, tables: [], cells, cards: [], frozen: [] });

const browser = (name: string, sql: string) => ({ runsOn: 'browser' as const, name, sql });

describe('answerGroups', () => {
  it('groups cells by the dropdowns they follow, through the cells they read', () => {
    const s = section(
      [dropdownInput('Region', ['a', 'b']), dropdownInput('kind', ['x', 'y', 'z'])],
      [
        browser('base', 'select * from sales where region = {{region}}'),
        browser('totals', 'select sum(amount) from base'),
        browser('both', 'select * from base where kind = {{kind}}'),
        browser('plain', 'select 1 from sales')
      ]
    );
    const groups = answerGroups(s).map((g) => ({ inputs: g.inputs.map((i) => i.name), cells: g.cells }));
    expect(groups).toEqual([
      { inputs: ['Region'], cells: ['base', 'totals'] },
      { inputs: ['kind', 'Region'], cells: ['both'] }
    ]);
  });

  it('leaves out cells following another kind of input, a connection cell, or too many choices', () => {
    const many = Array.from({ length: MAX_CHOICES + 1 }, (_, i) => `v${i}`);
    const s = section(
      [
        dropdownInput('region', ['a', 'b']),
        dropdownInput('wide', many),
        PublishedInputSchema.parse({
          cellId: 'c-day',
          name: 'day',
          config: { widget: 'date' },
          choices: [],
          initial: '2024-01-01'
        })
      ],
      [
        browser('dated', 'select * from sales where region = {{region}} and d = {{day}}'),
        browser('after_dated', 'select count(*) from dated'),
        { runsOn: 'server', name: 'remote' },
        browser('over_remote', 'select * from remote where region = {{region}}'),
        browser('too_many', 'select * from sales where w = {{wide}}'),
        browser('kept', 'select count(*) from sales where region = {{region}}')
      ]
    );
    expect(answerGroups(s).flatMap((g) => g.cells)).toEqual(['kept']);
  });

  it('leaves out cells following more dropdowns than dashboard.json holds, and counts a repeated choice once', () => {
    const nine = Array.from({ length: 9 }, (_, i) => dropdownInput(`d${i}`, ['x']));
    const refs = nine.map((d) => `{{${d.name}}}`).join(', ');
    const s = section(
      [
        ...nine,
        dropdownInput(
          'twice',
          Array.from({ length: MAX_CHOICES + 1 }, () => 'same')
        )
      ],
      [browser('nine', `select ${refs}`), browser('repeated', 'select {{twice}}')]
    );
    expect(answerGroups(s).flatMap((g) => g.cells)).toEqual(['repeated']);
  });
});
