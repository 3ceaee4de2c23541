// Reading DuckDB's pushed-down filters and skipping row groups by their statistics: only what is certain is
// skipped. The filter texts are DuckDB's own, taken from real plans.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { codecFor } from '../../src/lib/engine/parquet/column-codec';
import { trailingLimit } from '../../src/lib/engine/parquet/needs';
import {
  comparisonsOf,
  mayMatch,
  parseComparison,
  splitConjuncts
} from '../../src/lib/engine/parquet/filters';

async function pushedFilters(sql: string): Promise<unknown[]> {
  const conn = await (await DuckDBInstance.create(':memory:')).connect();
  await conn.run(
    `create table t (id bigint, "My Col" varchar, d date, ts timestamp, x double);
     set disabled_optimizers = 'statistics_propagation'`
  );
  const rows = (await conn.runAndReadAll(`explain (format json) ${sql}`)).getRows();
  const out: unknown[] = [];
  const walk = (n: { extra_info?: { Filters?: unknown }; children?: unknown[] }) => {
    if (n.extra_info?.Filters) out.push(n.extra_info.Filters);
    n.children?.forEach((c) => walk(c as typeof n));
  };
  (JSON.parse(String(rows[0]![1])) as (typeof walk extends (n: infer N) => void ? N : never)[]).forEach(walk);
  conn.closeSync();
  return out;
}

describe('filters from DuckDB plans', () => {
  it('reads comparisons with numbers, strings, dates, timestamps and quoted names', async () => {
    const [filters] = await pushedFilters(
      `select * from t where id between 10 and 20 and "My Col" = 'it''s AND x' and d >= date '2020-02-03'
        and ts < timestamp '2021-01-01 12:00:00.5'`
    );
    const { comparisons } = comparisonsOf(filters, ['id', 'My Col', 'd', 'ts', 'x']);
    expect(comparisons).toEqual(
      expect.arrayContaining([
        { column: 'id', op: '>=', value: { kind: 'number', text: '10' } },
        { column: 'id', op: '<=', value: { kind: 'number', text: '20' } },
        { column: 'My Col', op: '=', value: { kind: 'string', text: "it's AND x", cast: null } },
        { column: 'd', op: '>=', value: { kind: 'string', text: '2020-02-03', cast: 'DATE' } },
        { column: 'ts', op: '<', value: { kind: 'string', text: '2021-01-01 12:00:00.5', cast: 'TIMESTAMP' } }
      ])
    );
    expect(comparisons).toHaveLength(5);
  });

  it('never splits inside quotes or parentheses, and refuses what it does not understand', () => {
    expect(splitConjuncts(`s='a AND id>5 AND b' AND (x>1 AND y<2)`)).toEqual([
      `s='a AND id>5 AND b'`,
      `(x>1 AND y<2)`
    ]);
    const cols = ['x', 'y', 's', 'x y'];
    expect(parseComparison(`(x>1 AND y<2)`, cols)).toBeNull();
    expect(parseComparison(`lower(s)='a'`, cols)).toBeNull();
    expect(parseComparison(`s IS NOT NULL`, cols)).toBeNull();
    expect(parseComparison(`x>y`, cols)).toBeNull();
    expect(parseComparison(`unknown=1`, cols)).toBeNull();
    expect(parseComparison(`x y<=2.5`, cols)).toEqual({
      column: 'x y',
      op: '<=',
      value: { kind: 'number', text: '2.5' }
    });
  });

  it('keeps a row group unless no value in [min, max] can match', () => {
    expect(mayMatch('=', 5n, 0n, 10n)).toBe(true);
    expect(mayMatch('=', 11n, 0n, 10n)).toBe(false);
    expect(mayMatch('<', 0n, 0n, 10n)).toBe(false);
    expect(mayMatch('<=', 0n, 0n, 10n)).toBe(true);
    expect(mayMatch('>', 10n, 0n, 10n)).toBe(false);
    expect(mayMatch('>=', 10n, 0n, 10n)).toBe(true);
    expect(mayMatch('>', 'b', 'a', 'c')).toBe(true);
    expect(mayMatch('>', 'c', 'a', 'c')).toBe(false);
    // Different kinds of values are never compared: the group is kept.
    expect(mayMatch('=', 50, 0n, 10n)).toBe(true);
  });
});

describe('column codecs', () => {
  const int64 = { name: 'v', type: 'INT64' } as const;

  it('turns literals and statistics into values that compare like DuckDB', () => {
    const date = codecFor({ name: 'd', type: 'INT32', converted_type: 'DATE' }, 'DATE')!.comparable!;
    expect(date.literal('1970-01-11', 'string')).toBe(10);
    const ts = codecFor(
      {
        name: 't',
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' }
      },
      'TIMESTAMP'
    )!.comparable!;
    expect(ts.literal('1970-01-01 00:00:01.5', 'string')).toBe(1_500_000n);
    const big = codecFor(int64, 'BIGINT')!.comparable!;
    expect(big.literal('9007199254740993', 'number')).toBe(9007199254740993n);
    expect(big.literal('1.5', 'number')).toBeNull();
    const text = codecFor({ name: 's', type: 'BYTE_ARRAY', converted_type: 'UTF8' }, 'VARCHAR')!.comparable!;
    expect(text.literal('café', 'string')).toBeNull(); // not ASCII: JS and DuckDB order it differently
    // Doubles are never used to skip: NaN sorts above every number in DuckDB.
    expect(codecFor({ name: 'x', type: 'DOUBLE' }, 'DOUBLE')!.comparable).toBeUndefined();
  });

  it('carries decimals as exact text, whatever their storage', () => {
    const dec = (type: 'INT32' | 'INT64' | 'FIXED_LEN_BYTE_ARRAY', scale: number) =>
      codecFor({ name: 'x', type, converted_type: 'DECIMAL', scale, precision: 30 }, `DECIMAL(30,${scale})`)!;
    expect(dec('INT64', 2).toArrow!(-5n)).toBe('-0.05');
    expect(dec('INT32', 0).toArrow!(42)).toBe('42');
    const bytes = new Uint8Array(16);
    bytes.fill(0xff); // -1 in two's complement
    expect(dec('FIXED_LEN_BYTE_ARRAY', 3).toArrow!(bytes)).toBe('-0.001');
    const large = new Uint8Array(16);
    large[7] = 1; // 2^64
    expect(dec('FIXED_LEN_BYTE_ARRAY', 3).toArrow!(large)).toBe('18446744073709551.616');
  });

  it('has no codec for what cannot travel exactly', () => {
    expect(
      codecFor(
        { name: 'i', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 12, converted_type: 'INTERVAL' },
        'INTERVAL'
      )
    ).toBeNull();
    expect(
      codecFor(
        {
          name: 't',
          type: 'INT64',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' }
        },
        'TIMESTAMP WITH TIME ZONE'
      )
    ).toBeNull();
    expect(
      codecFor(
        { name: 'n', type: 'INT64', logical_type: { type: 'TIME', isAdjustedToUTC: false, unit: 'MICROS' } },
        'TIME'
      )
    ).toBeNull();
  });
});

describe('a first look at a file', () => {
  it('reads the row count of a trailing LIMIT, and nothing else', () => {
    expect(trailingLimit('select * from t limit 10')).toBe(10);
    expect(trailingLimit('select * from t\nLIMIT 100 -- peek')).toBe(100);
    expect(trailingLimit('select * from t limit 10 offset 5')).toBeNull();
    expect(trailingLimit('select * from t offset 5 limit 10')).toBeNull();
    expect(trailingLimit('select * from t limit 10%')).toBeNull();
    expect(trailingLimit('select * from t /* limit 10 */')).toBeNull();
    expect(trailingLimit('select * from t')).toBeNull();
  });
});
