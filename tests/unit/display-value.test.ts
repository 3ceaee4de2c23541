// How values and types read in result tables, dashboards and reports (CSV exports keep the plain text).
import {
  Bool,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  TimestampMicrosecond,
  Uint8,
  Utf8,
  makeData,
  makeVector,
  tableFromArrays
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { displayValue, typeLabel } from '../../cells/display-value';
import { tableToCsv } from '../../src/lib/export/csv';

describe('displayValue', () => {
  it('groups thousands in amounts, keeps fractions, leaves years and ids alone', () => {
    expect(displayValue(370248, new Field('total', new Float64()))).toBe('370,248');
    expect(displayValue(-1234567.125, new Field('delta', new Float64()))).toBe('-1,234,567.125');
    expect(displayValue(12345678901234567890n, new Field('big', new Int64()))).toBe(
      '12,345,678,901,234,567,890'
    );
    expect(displayValue(999, new Field('n', new Int32()))).toBe('999');
    expect(displayValue(2001, new Field('year', new Int32()))).toBe('2001');
    expect(displayValue(123456, new Field('order_id', new Int64()))).toBe('123456');
  });

  it('places a decimal point by scale before grouping', () => {
    // Arrow hands DuckDB's DECIMAL(18,2) 1234567.89 over as its unscaled integer, in 32-bit words.
    const type = new Decimal(2, 18, 128);
    const data = makeData({ type, length: 1, nullCount: 0, data: new Uint32Array([123456789, 0, 0, 0]) });
    expect(displayValue(makeVector(data).get(0), new Field('amount', type))).toBe('1,234,567.89');
  });

  it('leaves text, dates and timestamps as they are', () => {
    expect(displayValue('12345', new Field('code_text', new Utf8()))).toBe('12345');
    expect(displayValue(Date.UTC(2001, 2, 1), new Field('day', new DateDay()))).toBe('2001-03-01');
    expect(displayValue(Date.UTC(2001, 2, 1, 13, 5, 9), new Field('at', new TimestampMicrosecond()))).toBe(
      '2001-03-01 13:05:09'
    );
  });

  it('does not reach CSV exports: those keep plain numbers', () => {
    const csv = tableToCsv(tableFromArrays({ total: Float64Array.from([370248]) }));
    expect(csv).toContain('370248');
    expect(csv).not.toContain('370,248');
  });
});

describe('typeLabel', () => {
  it('names types in SQL words', () => {
    expect(typeLabel(new Decimal(0, 38, 128))).toBe('decimal(38,0)');
    expect(typeLabel(new Decimal(2, 18, 128))).toBe('decimal(18,2)');
    expect(typeLabel(new Int64())).toBe('bigint');
    expect(typeLabel(new Int32())).toBe('integer');
    expect(typeLabel(new Uint8())).toBe('utinyint');
    expect(typeLabel(new Float64())).toBe('double');
    expect(typeLabel(new Utf8())).toBe('text');
    expect(typeLabel(new Bool())).toBe('boolean');
    expect(typeLabel(new TimestampMicrosecond())).toBe('timestamp');
    expect(typeLabel(new TimestampMicrosecond('UTC'))).toBe('timestamptz');
  });
});
