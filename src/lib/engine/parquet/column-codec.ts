// How one Parquet column travels from hyparquet's decoded values into DuckDB-WASM without losing anything: the
// Arrow type it is inserted as, how values are turned into that type, and the SQL that gives it back its DuckDB
// type in the file's view. Types that cannot make the trip exactly have no codec; a query needing one of them
// reads the file's whole DuckDB copy instead.
import type { SchemaElement } from 'hyparquet';
import { ident, literal } from '$cells/sql/quote';
import type { ArrowKind } from './arrow-column';
import type { Comparable } from './filters';

export type ColumnCodec = {
  arrow: ArrowKind;
  /** hyparquet's value (after our raw parsers) → what the Arrow builder takes. */
  toArrow?: (v: unknown) => unknown;
  /** SQL over the stored column that has the column's DuckDB type. */
  view: (stored: string) => string;
  /** Read as raw numbers: decimals lose their conversion to JS numbers (which would round them). */
  raw?: boolean;
  /** A literal of a pushed-down filter, and a min/max statistic, as values that compare like DuckDB does. */
  comparable?: {
    literal: (text: string, kind: 'number' | 'string') => Comparable | null;
    stat: (v: unknown) => Comparable | null;
  };
};

const DAY_MS = 86_400_000;

const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);
const numberLiteral = (text: string, kind: 'number' | 'string') => (kind === 'number' ? Number(text) : null);
const finite = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Integer statistics compared exactly: as BigInt when either side may exceed 2^53. */
const integerComparable = {
  literal: (text: string, kind: 'number' | 'string') =>
    kind === 'number' && /^-?\d+$/.test(text) ? BigInt(text) : null,
  stat: (v: unknown) =>
    typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : null
};

function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const frac = scale ? '.' + digits.slice(digits.length - scale) : '';
  return (negative ? '-' : '') + whole + frac;
}

/** A big-endian two's complement integer (Parquet's FIXED_LEN_BYTE_ARRAY decimals). */
function bigIntOfBytes(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return bytes.length && bytes[0]! & 0x80 ? v - (1n << BigInt(bytes.length * 8)) : v;
}

function timestampLiteral(text: string): bigint | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/.exec(text);
  if (!m) return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0));
  return BigInt(ms) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0'));
}

/** The codec for a column with Parquet schema `el` and DuckDB type `duckType`, or null when none fits. */
export function codecFor(el: SchemaElement, duckType: string): ColumnCodec | null {
  const type = duckType.toUpperCase();
  const cast = (s: string) => `${s}::${type}`;
  const ctype = el.converted_type;
  const ltype = el.logical_type;
  if (ctype === 'DECIMAL' || ltype?.type === 'DECIMAL') {
    const scale = el.scale ?? 0;
    if (!/^DECIMAL\(\d+,\d+\)$/.test(type)) return null;
    return {
      arrow: 'utf8',
      raw: true,
      toArrow: (v) =>
        v == null
          ? null
          : decimalText(v instanceof Uint8Array ? bigIntOfBytes(v) : BigInt(v as number | bigint), scale),
      view: cast
    };
  }
  switch (el.type) {
    case 'BOOLEAN':
      return type === 'BOOLEAN' ? { arrow: 'bool', view: (s) => s } : null;
    case 'INT32':
      if (ctype === 'DATE' || ltype?.type === 'DATE') {
        if (type !== 'DATE') return null;
        return {
          arrow: 'int32',
          view: (s) => `(DATE '1970-01-01' + ${s})`,
          comparable: {
            literal: (text, kind) => {
              const m = kind === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) : null;
              return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!) / DAY_MS : null;
            },
            stat: finite
          }
        };
      }
      if (ltype && ltype.type !== 'INTEGER') return null;
      if (ctype && !['INT_8', 'INT_16', 'INT_32', 'UINT_8', 'UINT_16'].includes(ctype)) {
        if (ctype !== 'UINT_32') return null;
        return { arrow: 'float64', view: cast, comparable: { literal: numberLiteral, stat: finite } };
      }
      return { arrow: 'int32', view: cast, comparable: { literal: numberLiteral, stat: finite } };
    case 'INT64':
      if (ltype?.type === 'TIMESTAMP' || ctype === 'TIMESTAMP_MICROS' || ctype === 'TIMESTAMP_MILLIS') {
        const unit =
          ltype?.type === 'TIMESTAMP' ? ltype.unit : ctype === 'TIMESTAMP_MILLIS' ? 'MILLIS' : 'MICROS';
        const utc = ltype?.type === 'TIMESTAMP' ? ltype.isAdjustedToUTC : false;
        if (type !== 'TIMESTAMP' || utc || (unit !== 'MICROS' && unit !== 'MILLIS')) return null;
        const scale = unit === 'MILLIS' ? 1000n : 1n;
        return {
          arrow: 'int64',
          view: (s) => `make_timestamp(${unit === 'MILLIS' ? `${s} * 1000` : s})`,
          comparable: {
            literal: (text, kind) => (kind === 'string' ? timestampLiteral(text) : null),
            stat: (v) => (typeof v === 'bigint' ? v * scale : null)
          }
        };
      }
      if (ltype && ltype.type !== 'INTEGER') return null;
      if (ctype && ctype !== 'INT_64') {
        if (ctype !== 'UINT_64') return null;
        // Above 2^63: no signed Arrow type holds it, so it travels as text.
        return { arrow: 'utf8', toArrow: (v) => (v == null ? null : String(v)), view: cast };
      }
      return { arrow: 'int64', view: cast, comparable: integerComparable };
    case 'FLOAT':
    case 'DOUBLE':
      // No skipping by min/max: DuckDB orders NaN above every number, and statistics may leave NaN out.
      return { arrow: 'float64', view: cast };
    case 'BYTE_ARRAY':
      if (type !== 'VARCHAR' || !(ctype === 'UTF8' || ltype?.type === 'STRING')) return null;
      return {
        arrow: 'utf8',
        view: (s) => s,
        comparable: {
          // JS compares UTF-16 units and DuckDB bytes: the same order only for ASCII.
          literal: (text, kind) => (kind === 'string' && isAscii(text) ? text : null),
          stat: (v) => (typeof v === 'string' && isAscii(v) ? v : null)
        }
      };
    default:
      return null;
  }
}

/** The SQL for a column in a file's view: its stored values, or an error if a query reads it unloaded. */
export function viewColumn(
  name: string,
  duckType: string,
  codec: ColumnCodec | null,
  loaded: boolean
): string {
  if (loaded && codec) return `${codec.view(ident(`c_${name}`))} as ${ident(name)}`;
  const msg = `Sheaf did not load column ${name} for this query; run it again.`;
  return `error(${literal(msg)})::${duckType} as ${ident(name)}`;
}
