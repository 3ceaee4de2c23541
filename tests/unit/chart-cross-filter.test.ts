// Cross-filtering's shared part: the setting as read from the document (and kept across a rename), the fields a
// chart offers, what a click sets, and the drawn spec — compiled and run by Vega in its expression interpreter, as
// browsers draw it — dimming exactly the marks not picked, also after chart-data moved the aggregation into SQL.
import * as vega from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { aggregateQuery, analyze } from '../../cells/chart/aggregate';
import { readChartConfig, type ChartConfig } from '../../cells/chart/config';
import {
  crossFilterTarget,
  DIMMED_OPACITY,
  drawnField,
  pickableFields,
  PICKED_SIGNAL,
  pickedValues,
  steppedValue,
  valueOf,
  valueOnClick,
  withCrossFilter,
  type CrossFilterTarget
} from '../../cells/chart/cross-filter';
import { buildSpec, type VlSpec } from '../../cells/chart/spec';
import { withData } from '../../cells/chart/spec-data';
import { insertCell, orderedCells, renameCell } from '../../cells/document';

const bars: ChartConfig = {
  mode: 'builder',
  source: 'sales',
  mark: 'bar',
  x: { field: 'region', type: 'nominal', sort: '-y' },
  y: { field: 'amount', type: 'quantitative', aggregate: 'sum' },
  crossFilter: { input: 'region_pick', field: 'region' }
};
const rows = Array.from({ length: 30 }, (_, i) => ({
  region: ['north', 'south', 'east'][i % 3],
  amount: i,
  year: 2020 + (i % 2)
}));

/** Draws a spec as the browser does (expression interpreter, no eval) and returns its marks' data and opacity. */
async function draw(spec: VlSpec, data: object[] = rows) {
  const vg = compile({ ...withData(spec, data), width: 300 } as unknown as Parameters<
    typeof compile
  >[0]).spec;
  const view = new vega.View(vega.parse(vg, undefined, { ast: true }), {
    renderer: 'none',
    expr: expressionInterpreter
  } as unknown as vega.ViewOptions);
  await view.runAsync();
  const marks = () => {
    const out: { datum: Record<string, unknown>; opacity: number | undefined }[] = [];
    const visit = (node: { items?: unknown[]; role?: string; marktype?: string; datum?: unknown }) => {
      for (const item of (node.items ?? []) as (typeof node & { opacity?: number })[]) {
        if (node.role === 'mark' && node.marktype === 'rect')
          out.push({ datum: item.datum as Record<string, unknown>, opacity: item.opacity });
        visit(item);
      }
    };
    visit(
      (view.scenegraph() as unknown as { root: typeof visit extends (n: infer N) => void ? N : never }).root
    );
    return out;
  };
  return { view, marks };
}

describe('the cross-filter setting', () => {
  it('reads key by key: a bad setting reads as unset, the rest of the chart stays', () => {
    expect(
      readChartConfig({ mark: 'bar', crossFilter: { input: 'pick', field: 'region' } }).crossFilter
    ).toEqual({
      input: 'pick',
      field: 'region'
    });
    for (const bad of [
      { input: '', field: 'region' },
      { input: 'pick' },
      'pick',
      { input: 'x'.repeat(64), field: 'a' }
    ]) {
      const config = readChartConfig({ mark: 'line', crossFilter: bad });
      expect(config.crossFilter).toBeUndefined();
      expect(config.mark).toBe('line');
    }
  });

  it('follows the input when it is renamed, and only that input', () => {
    const doc = new Y.Doc();
    insertCell(doc, { kind: 'input', name: 'region_pick' }, 0);
    insertCell(doc, { kind: 'sql', name: 'sales', source: 'select 1' }, 1);
    insertCell(doc, { kind: 'chart', config: { ...bars } }, 2);
    const [input, sales, chart] = orderedCells(doc);
    expect(renameCell(doc, sales!.id, 'sales2')).toBe(true);
    expect(readChartConfig(chart!.config.toJSON()).crossFilter?.input).toBe('region_pick');
    expect(renameCell(doc, input!.id, 'area')).toBe(true);
    const config = readChartConfig(chart!.config.toJSON());
    expect(config.crossFilter).toEqual({ input: 'area', field: 'region' });
    expect(config.source).toBe('sales2');
  });
});

describe('what a chart offers and what a click sets', () => {
  it('offers the columns drawn as they are, not summaries, bins or time units', () => {
    const spec = buildSpec({
      ...bars,
      color: { field: 'year', type: 'nominal' },
      column: { field: 'region', type: 'nominal' }
    });
    expect(pickableFields(spec)).toEqual([
      { field: 'region', channel: 'x' },
      { field: 'year', channel: 'color' }
    ]);
    const hist = buildSpec({ ...bars, mark: 'histogram', x: { field: 'amount', type: 'quantitative' } });
    expect(pickableFields(hist)).toEqual([]);
    expect(crossFilterTarget({ ...bars, crossFilter: { input: 'p', field: 'amount' } }, hist)).toBeNull();
    expect(crossFilterTarget(bars, buildSpec(bars))).toEqual({
      input: 'region_pick',
      field: 'region',
      channel: 'x'
    });
    expect(crossFilterTarget({ ...bars, crossFilter: undefined }, buildSpec(bars))).toBeNull();
  });

  it('a click sets the value, a list of it for a multi-select; the same mark again clears', () => {
    expect(valueOnClick('dropdown', null, 'north')).toBe('north');
    expect(valueOnClick('dropdown', 'south', 'north')).toBe('north');
    expect(valueOnClick('dropdown', 'north', 'north')).toBeNull();
    expect(valueOnClick('dropdown', null, 2021)).toBe(2021);
    expect(valueOnClick('dropdown', 2021, 2021)).toBeNull();
    expect(valueOnClick('text', null, 2021)).toBe('2021');
    expect(valueOnClick('text', '2021', 2021)).toBeNull();
    expect(valueOnClick('multiselect', [], 'north')).toEqual(['north']);
    expect(valueOnClick('multiselect', ['north', 'south'], 'north')).toEqual(['north']);
    expect(valueOnClick('multiselect', ['north'], 'north')).toEqual([]);
    // A mark without a value of the field (missing) changes nothing.
    expect(valueOnClick('dropdown', 'north', null)).toBeUndefined();
    expect(valueOnClick('dropdown', 'north', { a: 1 })).toBeUndefined();
    expect(valueOf('multiselect', 3)).toEqual([3]);
    expect(valueOf('text', true)).toBe('true');
    expect(valueOf('dropdown', undefined)).toBeUndefined();
    expect(pickedValues(null)).toEqual([]);
    expect(pickedValues('')).toEqual([]);
    expect(pickedValues(['a', 2])).toEqual(['a', '2']);
  });
});

describe('the arrow keys', () => {
  const drawn = ['sun', 'rain', 'fog'];
  it('step through the marks’ values in the order drawn, from either end when none is picked', () => {
    expect(steppedValue(drawn, null, 1)).toBe('sun');
    expect(steppedValue(drawn, null, -1)).toBe('fog');
    expect(steppedValue(drawn, 'sun', 1)).toBe('rain');
    expect(steppedValue(drawn, ['rain'], -1)).toBe('sun');
    expect(steppedValue(drawn, 'fog', 1)).toBe('fog'); // stays at the end
    expect(steppedValue(drawn, 'sun', -1)).toBe('sun');
    expect(steppedValue(drawn, 'snow', 1)).toBe('sun'); // a value no mark has: from the start
    expect(steppedValue([2020, 2021], '2021', -1)).toBe(2020);
    expect(steppedValue([], 'sun', 1)).toBeUndefined();
  });
});

describe('the drawn spec', () => {
  const target = crossFilterTarget(bars, buildSpec(bars)) as CrossFilterTarget;

  it('dims the bars not picked, shows every bar at full opacity when nothing is', async () => {
    const picked = withCrossFilter(buildSpec(bars), target, 'south');
    expect(picked.dims).toBe(true);
    expect(picked.field).toBe('region');
    const { view, marks } = await draw(picked.spec);
    const seen = marks();
    expect(seen).toHaveLength(3); // every bar still drawn
    for (const m of seen) expect(m.opacity).toBe(m.datum.region === 'south' ? 1 : DIMMED_OPACITY);

    // A new value through the signal, as the browser helper sets it: no new spec, no new rows.
    view.signal(PICKED_SIGNAL, pickedValues(['north', 'east']));
    await view.runAsync();
    for (const m of marks()) expect(m.opacity).toBe(m.datum.region === 'south' ? DIMMED_OPACITY : 1);
    view.signal(PICKED_SIGNAL, pickedValues(null));
    await view.runAsync();
    for (const m of marks()) expect(m.opacity).toBe(1);
    view.finalize();

    const none = await draw(withCrossFilter(buildSpec(bars), target, null).spec);
    for (const m of none.marks()) expect(m.opacity).toBe(1);
    none.view.finalize();
  });

  it('compares numbers picked as text with the marks’ numbers', async () => {
    const config: ChartConfig = {
      ...bars,
      x: { field: 'year', type: 'nominal' },
      crossFilter: { input: 'y', field: 'year' }
    };
    const t = crossFilterTarget(config, buildSpec(config)) as CrossFilterTarget;
    const { view, marks } = await draw(withCrossFilter(buildSpec(config), t, 2021).spec);
    expect(
      marks()
        .map((m) => [m.datum.year, m.opacity])
        .sort()
    ).toEqual([
      [2020, DIMMED_OPACITY],
      [2021, 1]
    ]);
    view.finalize();
  });

  it('reads the field under the alias chart-data’s SQL aggregation gave it', async () => {
    const before = buildSpec(bars);
    const analysis = analyze(before, { region: 'nominal', amount: 'quantitative', year: 'quantitative' });
    const { spec: drawn } = aggregateQuery(analysis!, 'sales', {});
    expect(drawnField(drawn, target)).toBe('__d0');
    const prepared = withCrossFilter(drawn, target, 'east');
    expect(prepared.field).toBe('__d0');
    // The rows as the aggregation query returns them.
    const aggregated = ['north', 'south', 'east'].map((r) => ({
      __d0: r,
      __m0: rows.filter((x) => x.region === r).reduce((a, x) => a + x.amount, 0)
    }));
    const { view, marks } = await draw(prepared.spec, aggregated);
    const seen = marks();
    expect(seen).toHaveLength(3);
    for (const m of seen) expect(m.opacity).toBe(m.datum.__d0 === 'east' ? 1 : DIMMED_OPACITY);
    view.finalize();
  });

  it('keeps a spec’s own opacity for the picked marks; a field’s name stays a name', async () => {
    const config: ChartConfig = {
      ...bars,
      mark: 'point',
      x: { field: 'region', type: 'nominal' },
      y: { field: 'amount', type: 'quantitative' }
    };
    const spec = withCrossFilter(buildSpec(config), target, 'north').spec;
    const enc = spec.encoding as { opacity: { condition: { value: number }; value: number } };
    expect(enc.opacity.condition.value).toBe(0.7); // the scatter's own translucency
    expect(enc.opacity.value).toBe(DIMMED_OPACITY);

    // A field's name is a string in the test, whatever it holds: one member access, never code.
    const odd = 'a"] || true || datum["b\u2028';
    const oddSpec = withCrossFilter(
      { mark: 'bar', encoding: { x: { field: odd, type: 'nominal' } } },
      { input: 'p', field: odd, channel: 'x' },
      'x'
    ).spec;
    const test = (oddSpec.encoding as { opacity: { condition: { test: string } } }).opacity.condition.test;
    const ast = vega.parseExpression(test) as unknown as { right: { left: { arguments: unknown[] } } };
    expect(ast.right.left.arguments[1]).toEqual({
      type: 'CallExpression',
      callee: { type: 'Identifier', name: 'toString' },
      arguments: [
        {
          type: 'MemberExpression',
          computed: true,
          object: { type: 'Identifier', name: 'datum' },
          property: expect.objectContaining({ type: 'Literal', value: odd })
        }
      ]
    });
  });

  it('leaves specs it cannot dim as they are, still naming the field for clicks', () => {
    const own = {
      mark: 'bar',
      encoding: { x: { field: 'region', type: 'nominal' }, opacity: { value: 0.5 } }
    };
    expect(withCrossFilter(own, target, 'north')).toEqual({ spec: own, field: 'region', dims: false });
    const concat = { hconcat: [{ mark: 'bar' }], encoding: { x: { field: 'region', type: 'nominal' } } };
    expect(withCrossFilter(concat, target, 'north').dims).toBe(false);
    const layered = {
      layer: [{ mark: 'bar' }, { mark: 'text' }],
      encoding: { x: { field: 'region', type: 'nominal' } }
    };
    const l = withCrossFilter(layered, target, 'north');
    expect(l.dims).toBe(true);
    expect(l.spec.layer).toEqual(layered.layer);
  });
});
