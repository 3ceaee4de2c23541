import { describe, expect, it } from 'vitest';
import {
  checkReferences,
  compileParameters,
  InputValuesSchema,
  ParameterError,
  type InputValues
} from '../../cells/sql/parameters';
import { inputReferences, scanSql } from '../../cells/sql/references';

const values: InputValues = {
  region: { type: 'text', value: 'west' },
  n: { type: 'number', value: 5 },
  ratio: { type: 'number', value: 2.5 },
  paid: { type: 'boolean', value: true },
  day: { type: 'date', value: '2024-03-01' },
  period: { type: 'date_range', start: '2024-01-01', end: '2024-01-31' },
  regions: { type: 'text_list', value: ['north', 'east'] },
  ids: { type: 'number_list', value: [1, 2, 3] },
  none: { type: 'text_list', value: [] }
};

function fails(f: () => unknown): ParameterError {
  try {
    f();
  } catch (e) {
    if (e instanceof ParameterError) return e;
    throw e;
  }
  throw new Error('expected a ParameterError');
}

describe('inputReferences', () => {
  it('finds {{name}} and {{name.field}} outside strings, quoted names and comments', () => {
    const sql = `select {{ Region }}, '{{inString}}', "{{quotedName}}" -- {{commented}}
      /* {{blocked}} */ from t where d between {{period.start}} and {{period.end}} and r = {{region}}`;
    expect(inputReferences(sql)).toEqual(['region', 'period']);
    expect(scanSql(sql).quotedInputs.map((r) => r.name)).toEqual(['inString']);
  });

  it('skips dollar-quoted strings (PostgreSQL, DuckDB) but not in MySQL, where $ is no quote', () => {
    const sql = "select $$ {{a}} $$, $fn$ it's {{b}} $fn$, {{c}}";
    expect(inputReferences(sql, 'postgres')).toEqual(['c']);
    expect(inputReferences(sql, 'duckdb')).toEqual(['c']);
  });

  it("reads MySQL's backslash escapes, backticks and # comments", () => {
    const sql = "select 'it\\'s {{a}}', `{{b}}` # {{c}}\n, {{d}}";
    expect(inputReferences(sql, 'mysql')).toEqual(['d']);
    // In PostgreSQL a backslash is just a character: the string ends at \' and {{a}} is outside.
    expect(inputReferences("select 'x\\' , {{a}}", 'postgres')).toEqual(['a']);
    expect(inputReferences("select E'x\\' , {{a}}'", 'postgres')).toEqual([]);
  });

  it('is not fooled by braces that are not a reference', () => {
    expect(inputReferences("select {'a': {'b': 1}}, {{ x y }}, {{1x}}, {x}")).toEqual([]);
  });

  it('lists the engines’ own placeholders', () => {
    expect(scanSql("select ?, $12, '$3 ?'").placeholders.map((p) => p.text)).toEqual(['?', '$12']);
  });
});

describe('compileParameters', () => {
  it('leaves a query without references as it was', () => {
    const sql = "select '{{nobody}}', data ? 'key', $1 from t";
    for (const d of ['duckdb', 'postgres', 'mysql'] as const) {
      expect(compileParameters(sql, d, values)).toMatchObject({ sql, params: [] });
    }
  });

  it('PostgreSQL: $n, one per name, typed by casts', () => {
    const c = compileParameters(
      'select * from t where r = {{region}} and n > {{n}} and x < {{ratio}} and p = {{paid}} ' +
        'and d between {{period.start}} and {{period.end}} and r2 = {{region}} and d2 = {{day}}',
      'postgres',
      values
    );
    expect(c.sql).toBe(
      'select * from t where r = $1 and n > $2::int8 and x < $3::numeric and p = $4::boolean ' +
        'and d between $5::date and $6::date and r2 = $1 and d2 = $7::date'
    );
    expect(c.params).toEqual(['west', '5', '2.5', 'true', '2024-01-01', '2024-01-31', '2024-03-01']);
  });

  it('PostgreSQL: a list is one array parameter, its elements quoted', () => {
    const c = compileParameters(
      'select 1 where r = any({{regions}}) and id = any({{ids}}) and not r = any({{none}})',
      'postgres',
      { ...values, regions: { type: 'text_list', value: ['a"b', 'c\\d', "e'f", '{g,h}', 'NULL'] } }
    );
    expect(c.sql).toBe('select 1 where r = any($1) and id = any($2::int8[]) and not r = any($3)');
    expect(c.params).toEqual(['{"a\\"b","c\\\\d","e\'f","{g,h}","NULL"}', '{"1","2","3"}', '{}']);
  });

  it('PostgreSQL: the jsonb ? operator stays; a $1 of the user’s own is refused', () => {
    expect(compileParameters("select data ? 'k' from t where r = {{region}}", 'postgres', values).sql).toBe(
      "select data ? 'k' from t where r = $1"
    );
    const e = fails(() => compileParameters('select $1, {{region}}', 'postgres', values));
    expect(e.problem).toBe('placeholder');
    expect(e.position).toBe(8);
    // In a string it is text.
    expect(compileParameters("select '$1', {{region}}", 'postgres', values).sql).toBe("select '$1', $1");
  });

  it('DuckDB: $n with casts; a list is a list literal of placeholders', () => {
    const c = compileParameters(
      'select list_contains({{regions}}, r), list_contains({{ids}}, id), {{n}}, {{ratio}}, {{day}}, {{n}}, {{none}}',
      'duckdb',
      values
    );
    expect(c.sql).toBe(
      'select list_contains([CAST($1 AS VARCHAR), CAST($2 AS VARCHAR)], r), ' +
        'list_contains([CAST($3 AS BIGINT), CAST($4 AS BIGINT), CAST($5 AS BIGINT)], id), ' +
        'CAST($6 AS BIGINT), CAST($7 AS DOUBLE), CAST($8 AS DATE), CAST($6 AS BIGINT), CAST([] AS VARCHAR[])'
    );
    expect(c.params).toEqual(['north', 'east', 1, 2, 3, 5, 2.5, '2024-03-01']);
    expect(fails(() => compileParameters('select ?, {{n}}', 'duckdb', values)).problem).toBe('placeholder');
  });

  it('MySQL: ? each time, lists expanded, an empty list a subquery without rows', () => {
    const c = compileParameters(
      'select 1 where r in ({{regions}}) and r = {{region}} and r <> {{region}} and d = {{day}} and id not in ({{none}})',
      'mysql',
      values
    );
    expect(c.sql).toBe(
      'select 1 where r in (?, ?) and r = ? and r <> ? and d = cast(? as date) and id not in (select null from dual where 1 = 0)'
    );
    expect(c.params).toEqual(['north', 'east', 'west', 'west', '2024-03-01']);
    // $1 means nothing to MySQL; ? does.
    expect(compileParameters('select $1, {{n}}', 'mysql', values).sql).toBe('select $1, cast(? as signed)');
    expect(fails(() => compileParameters("select ?, '?', {{n}}", 'mysql', values)).position).toBe(8);
  });

  it('an injection attempt is a value, never text', () => {
    const evil = "'; drop table x; --";
    for (const d of ['duckdb', 'postgres', 'mysql'] as const) {
      const c = compileParameters('select * from x where name = {{who}}', d, {
        who: { type: 'text', value: evil }
      });
      expect(c.sql).not.toContain('drop');
      expect(c.params).toEqual([evil]);
    }
  });

  it('names the unknown input and the nearest known one', () => {
    const e = fails(() => compileParameters('select 1\nwhere r = {{regoin}}', 'duckdb', values));
    expect(e.problem).toBe('unknown');
    expect(e.message).toBe('There is no input named regoin — did you mean region?');
    expect(e.position).toBe(20);
    expect(fails(() => compileParameters('select {{zzzzzz}}', 'duckdb', values)).message).toBe(
      'There is no input named zzzzzz.'
    );
  });

  it('asks for .start/.end on a range, and refuses parts of anything else', () => {
    expect(fails(() => compileParameters('select {{period}}', 'postgres', values)).message).toMatch(
      /write \{\{period\.start\}\} and \{\{period\.end\}\}/
    );
    expect(fails(() => compileParameters('select {{period.begin}}', 'postgres', values)).problem).toBe(
      'field'
    );
    expect(fails(() => compileParameters('select {{n.start}}', 'postgres', values)).problem).toBe('field');
  });

  it('says how to write a known input that sits inside quotes; unknown ones in quotes are text', () => {
    const e = fails(() => compileParameters("select 'hello {{region}}'", 'postgres', values));
    expect(e.problem).toBe('quoted');
    expect(e.message).toContain("'…' || {{region}} || '…'");
    expect(compileParameters("select '{{mustache}}'", 'postgres', values).params).toEqual([]);
  });

  it('binds NULL for an empty input, typed', () => {
    const c = compileParameters('select {{n}}, {{day}}', 'postgres', {
      n: { type: 'number', value: null },
      day: { type: 'date', value: null }
    });
    expect(c.sql).toBe('select $1::numeric, $2::date');
    expect(c.params).toEqual([null, null]);
  });

  it('maps positions in the compiled text back to the query as written', () => {
    const sql = 'select {{regions}} + oops from t where x = {{n}}';
    const c = compileParameters(sql, 'duckdb', values);
    expect(c.sourceOffset(c.sql.indexOf('oops'))).toBe(sql.indexOf('oops'));
    expect(c.sourceOffset(c.sql.indexOf('CAST($2'))).toBe(sql.indexOf('{{regions}}'));
    expect(c.sourceOffset(c.sql.indexOf('$3') - 5)).toBe(sql.indexOf('{{n}}'));
    expect(c.sourceOffset(3)).toBe(3);
  });
});

describe('checkReferences', () => {
  const shapes = Object.entries(values).map(([name, v]) => ({ name, dateRange: v.type === 'date_range' }));
  const problems = (sql: string, dialect: 'duckdb' | 'postgres' | 'mysql' = 'duckdb') =>
    checkReferences(sql, dialect, shapes).map((e) => ({
      problem: e.problem,
      text: sql.slice(e.position - 1, e.position - 1 + e.length),
      message: e.message
    }));

  it('finds nothing wrong in what compiles', () => {
    expect(problems('select {{region}}, {{period.start}}, {{ n }} from t where x = {{regions}}')).toEqual([]);
    expect(problems("select '{{mustache}}', data ? 'k', {{region}}", 'postgres')).toEqual([]);
  });

  it('lists every problem with its span, the first being the one compiling throws', () => {
    const sql = "select {{regoin}}, '{{region}}', {{period}}, {{n.start}}, ?, {{region}}";
    const found = problems(sql);
    expect(found.map((p) => [p.problem, p.text])).toEqual([
      ['quoted', '{{region}}'],
      ['placeholder', '?'],
      ['unknown', '{{regoin}}'],
      ['field', '{{period}}'],
      ['field', '{{n.start}}']
    ]);
    expect(found[2]!.message).toBe('There is no input named regoin — did you mean region?');
    expect(found[4]!.message).toBe(
      'n is not a date range; only date ranges have parts (.start, .end). Write {{n}}.'
    );
    expect(fails(() => compileParameters(sql, 'duckdb', values)).message).toBe(found[0]!.message);
    // Each problem is what compiling says once the ones before it are fixed.
    expect(fails(() => compileParameters('select {{period}}', 'duckdb', values)).message).toBe(
      found[3]!.message
    );
  });

  it('follows the dialect: $1 is no placeholder in MySQL, ? none in PostgreSQL', () => {
    expect(problems('select $1, ?, {{n}}', 'mysql').map((p) => p.text)).toEqual(['?']);
    expect(problems('select $12, ?, {{n}}', 'postgres').map((p) => p.text)).toEqual(['$12']);
    expect(problems('select $12, ?, {{n}}', 'duckdb').map((p) => p.text)).toEqual(['$12', '?']);
    // Without a reference the engine's own placeholders are the query's business.
    expect(problems('select ?')).toEqual([]);
  });
});

describe('InputValuesSchema', () => {
  it('accepts typed values and refuses the wrong type, impossible dates, NUL and bad names', () => {
    expect(InputValuesSchema.safeParse(values).success).toBe(true);
    const bad = [
      { n: { type: 'number', value: '5' } },
      { n: { type: 'number', value: Infinity } },
      { d: { type: 'date', value: '2024-02-30' } },
      { d: { type: 'date', value: '01/02/2024' } },
      { t: { type: 'text', value: 'a\u0000b' } },
      { 'bad-name': { type: 'text', value: 'x' } },
      { l: { type: 'number_list', value: [1, 'two'] } }
    ];
    for (const b of bad) expect(InputValuesSchema.safeParse(b).success, JSON.stringify(b)).toBe(false);
  });
});
