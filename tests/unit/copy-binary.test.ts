// The binary COPY reader against hand-built streams (PostgreSQL's documented format), split at every byte.
import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { BatchBuilder, uniqueColumnNames } from '../../server/connectors/arrow-columns';
import { CopyBinaryReader } from '../../server/connectors/postgres/copy-binary';
import { leadingKeyword, withoutTrailingSemicolons } from '../../server/connectors/sql-shape';

const header = () => {
  const b = Buffer.alloc(19);
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1').copy(b, 0);
  return b; // flags 0, no header extension
};
const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const field = (bytes: Buffer | null) =>
  bytes === null ? int32(-1) : Buffer.concat([int32(bytes.length), bytes]);
const i32 = (n: number) => int32(n);
const f64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(n);
  return b;
};
const text = (s: string) => Buffer.from(s, 'utf8');
const ts = (usSince2000: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(usSince2000);
  return b;
};

const ROWS: [number | null, number | null, string | null, boolean, number, bigint][] = [
  [1, 1.5, 'north', true, 0, 0n],
  [null, -2.25, 'sü∂', false, 8766, 86_400_000_000n],
  [3, null, null, true, -1, -1_000_000n],
  [4, 0, '', false, 0x7fffffff, 0x7fffffffffffffffn] // infinity date and timestamp become null
];

function stream(): Buffer {
  const parts = [header()];
  for (const [id, x, name, flag, days, us] of ROWS) {
    parts.push(
      int16(6),
      field(id === null ? null : i32(id)),
      field(x === null ? null : f64(x)),
      field(name === null ? null : text(name)),
      field(Buffer.from([flag ? 1 : 0])),
      field(i32(days)),
      field(ts(us))
    );
  }
  parts.push(int16(-1));
  return Buffer.concat(parts);
}

const COLUMNS = [
  { name: 'id', kind: 'int32' },
  { name: 'x', kind: 'float64' },
  { name: 'name', kind: 'text' },
  { name: 'flag', kind: 'bool' },
  { name: 'day', kind: 'date' },
  { name: 'at', kind: 'timestamptz' }
] as const;

describe('binary COPY → Arrow', () => {
  it('decodes every type, nulls and ±infinity, however the stream is split into chunks', () => {
    const bytes = stream();
    for (let cut = 1; cut < bytes.length; cut++) {
      const builder = new BatchBuilder([...COLUMNS]);
      const reader = new CopyBinaryReader();
      reader.push(bytes.subarray(0, cut), builder, 100);
      reader.push(bytes.subarray(cut), builder, 100);
      expect(reader.finished).toBe(true);
      const rows = new Table(builder.finish()).toArray().map((r) => r.toJSON());
      expect(rows.map((r) => r.id)).toEqual([1, null, 3, 4]);
      expect(rows.map((r) => r.x)).toEqual([1.5, -2.25, null, 0]);
      expect(rows.map((r) => r.name)).toEqual(['north', 'sü∂', null, '']);
      expect(rows.map((r) => r.flag)).toEqual([true, false, true, false]);
      // DATE: days since 2000-01-01 → ms since 1970; TIMESTAMPTZ: µs since 2000 → µs since 1970
      expect(rows.map((r) => (r.day === null ? null : new Date(r.day).toISOString().slice(0, 10)))).toEqual([
        '2000-01-01',
        '2024-01-01',
        '1999-12-31',
        null
      ]);
      expect(rows.map((r) => r.at)).toEqual([946_684_800_000, 946_771_200_000, 946_684_799_000, null]);
    }
  });

  it('stops at the limit and knows more rows were there', () => {
    const builder = new BatchBuilder([...COLUMNS]);
    const reader = new CopyBinaryReader();
    reader.push(stream(), builder, 2);
    expect(reader.rows).toBe(2);
    expect(reader.overflow).toBe(true);
    const exact = new CopyBinaryReader();
    exact.push(stream(), new BatchBuilder([...COLUMNS]), 4);
    expect(exact.overflow).toBe(false);
    expect(exact.finished).toBe(true);
  });

  it('refuses something that is not a binary COPY stream', () => {
    expect(() =>
      new CopyBinaryReader().push(
        Buffer.from('id,name\n1,north\n' + ' '.repeat(20)),
        new BatchBuilder([...COLUMNS]),
        10
      )
    ).toThrow(/Not a binary COPY/);
  });
});

describe('query shape', () => {
  it('finds the first keyword past comments and parentheses', () => {
    expect(leadingKeyword('  -- note\n /* block */ (SELECT 1)')).toBe('select');
    expect(leadingKeyword('with x as (select 1) select * from x')).toBe('with');
    expect(leadingKeyword('EXPLAIN select 1')).toBe('explain');
    expect(withoutTrailingSemicolons('select 1 ;\n; ')).toBe('select 1');
  });

  it('keeps duplicate column names apart', () => {
    expect(uniqueColumnNames(['id', 'ID', 'id', 'name', ''])).toEqual([
      'id',
      'ID_1',
      'id_2',
      'name',
      'column'
    ]);
  });
});
