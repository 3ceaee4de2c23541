// Column accumulators that turn rows into Arrow record batches without going through JS objects where the wire
// format allows it: fixed-width values are read straight from bytes, text is copied as UTF-8 bytes.
import {
  Bool,
  DateDay,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
  Field,
  type DataType,
  type Data
} from 'apache-arrow';

export type ColumnKind =
  | 'bool'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'text';

export function arrowType(kind: ColumnKind): DataType {
  switch (kind) {
    case 'bool':
      return new Bool();
    case 'int16':
      return new Int16();
    case 'int32':
      return new Int32();
    case 'int64':
      return new Int64();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'date':
      return new DateDay();
    case 'timestamp':
      return new Timestamp(TimeUnit.MICROSECOND);
    case 'timestamptz':
      return new Timestamp(TimeUnit.MICROSECOND, 'UTC');
    case 'text':
      return new Utf8();
  }
}

type Fixed = Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array | Uint8Array;

const EPOCH_2000_DAYS = 10957;
const EPOCH_2000_US = 946_684_800_000_000n;
const TEXT = new TextEncoder();

/** One column's values for the batch being built. `putBytes` reads PostgreSQL's binary format (big-endian). */
export class ColumnBuilder {
  readonly kind: ColumnKind;
  length = 0;
  nullCount = 0;
  private validity = new Uint8Array(64);
  private values: Fixed;
  private offsets = new Int32Array(513);
  private bytes = new Uint8Array(4096);
  private byteLength = 0;

  constructor(kind: ColumnKind) {
    this.kind = kind;
    this.values = this.newValues(512);
  }

  private newValues(n: number): Fixed {
    switch (this.kind) {
      case 'bool':
        return new Uint8Array(Math.ceil(n / 8));
      case 'int16':
        return new Int16Array(n);
      case 'int32':
      case 'date':
        return new Int32Array(n);
      case 'int64':
      case 'timestamp':
      case 'timestamptz':
        return new BigInt64Array(n);
      case 'float32':
        return new Float32Array(n);
      case 'float64':
        return new Float64Array(n);
      case 'text':
        return new Uint8Array(0);
    }
  }

  private reserve(): number {
    const i = this.length;
    if (i >> 3 >= this.validity.length) {
      const v = new Uint8Array(this.validity.length * 2);
      v.set(this.validity);
      this.validity = v;
    }
    const capacity = this.kind === 'bool' ? this.values.length * 8 : this.values.length;
    if (this.kind !== 'text' && i >= capacity) {
      const grown = this.newValues(capacity * 2);
      (grown as Uint8Array).set(this.values as Uint8Array);
      this.values = grown;
    }
    if (this.kind === 'text' && i + 1 >= this.offsets.length) {
      const o = new Int32Array(this.offsets.length * 2);
      o.set(this.offsets);
      this.offsets = o;
    }
    this.length = i + 1;
    return i;
  }

  private valid(i: number) {
    this.validity[i >> 3]! |= 1 << (i & 7);
  }

  putNull(): void {
    const i = this.reserve();
    this.nullCount++;
    if (this.kind === 'text') this.offsets[i + 1] = this.byteLength;
  }

  private putText(src: Uint8Array, start: number, len: number, i: number) {
    if (this.byteLength + len > this.bytes.length) {
      const b = new Uint8Array(Math.max(this.bytes.length * 2, this.byteLength + len));
      b.set(this.bytes.subarray(0, this.byteLength));
      this.bytes = b;
    }
    this.bytes.set(src.subarray(start, start + len), this.byteLength);
    this.byteLength += len;
    this.offsets[i + 1] = this.byteLength;
  }

  /** A value in PostgreSQL's binary COPY format, `len` bytes at `o`. */
  putBytes(buf: Buffer, o: number, len: number): void {
    const i = this.reserve();
    const v = this.values;
    switch (this.kind) {
      case 'bool':
        if (buf[o] !== 0) (v as Uint8Array)[i >> 3]! |= 1 << (i & 7);
        break;
      case 'int16':
        v[i] = buf.readInt16BE(o);
        break;
      case 'int32':
        v[i] = buf.readInt32BE(o);
        break;
      case 'date': {
        const days = buf.readInt32BE(o);
        // ±infinity dates have no calendar value
        if (days === 0x7fffffff || days === -0x80000000) return this.unset();
        v[i] = days + EPOCH_2000_DAYS;
        break;
      }
      case 'int64':
        v[i] = buf.readBigInt64BE(o);
        break;
      case 'timestamp':
      case 'timestamptz': {
        const us = buf.readBigInt64BE(o);
        if (us === 0x7fffffffffffffffn || us === -0x8000000000000000n) return this.unset();
        v[i] = us + EPOCH_2000_US;
        break;
      }
      case 'float32':
        v[i] = buf.readFloatBE(o);
        break;
      case 'float64':
        v[i] = buf.readDoubleBE(o);
        break;
      case 'text':
        this.putText(buf, o, len, i);
        break;
    }
    this.valid(i);
  }

  /** A value with no Arrow equivalent (±infinity) becomes null. */
  private unset() {
    this.nullCount++;
  }

  /** A value already parsed into JS by postgres.js. */
  putValue(value: unknown): void {
    if (value === null || value === undefined) return this.putNull();
    const i = this.reserve();
    const v = this.values;
    switch (this.kind) {
      case 'bool':
        if (value) (v as Uint8Array)[i >> 3]! |= 1 << (i & 7);
        break;
      case 'int16':
      case 'int32':
      case 'float32':
      case 'float64':
        v[i] = Number(value);
        break;
      case 'int64':
        v[i] = BigInt(value as string);
        break;
      case 'date':
      case 'timestamp':
      case 'timestamptz': {
        const ms = value instanceof Date ? value.getTime() : new Date(String(value)).getTime();
        if (Number.isNaN(ms)) return this.unset(); // e.g. MySQL's 0000-00-00
        if (this.kind === 'date') v[i] = Math.floor(ms / 86_400_000);
        else v[i] = BigInt(ms) * 1000n;
        break;
      }
      case 'text': {
        const s =
          typeof value === 'string'
            ? value
            : value instanceof Date
              ? value.toISOString()
              : typeof value === 'object'
                ? JSON.stringify(value)
                : String(value);
        const b = TEXT.encode(s);
        this.putText(b, 0, b.length, i);
        break;
      }
    }
    this.valid(i);
  }

  /** The accumulated values as Arrow data; the builder starts over empty. */
  finish(): Data {
    const type = arrowType(this.kind);
    const length = this.length;
    const nullBitmap = this.nullCount > 0 ? this.validity.slice(0, Math.ceil(length / 8)) : undefined;
    let data: Data;
    if (this.kind === 'text') {
      data = makeData({
        type: type as Utf8,
        length,
        nullCount: this.nullCount,
        nullBitmap,
        valueOffsets: this.offsets.slice(0, length + 1),
        data: this.bytes.slice(0, this.byteLength)
      });
    } else {
      const n = this.kind === 'bool' ? Math.ceil(length / 8) : length;
      data = makeData({
        type,
        length,
        nullCount: this.nullCount,
        nullBitmap,
        data: this.values.slice(0, n)
      } as Parameters<typeof makeData>[0]);
    }
    this.length = 0;
    this.nullCount = 0;
    this.validity = new Uint8Array(this.validity.length);
    this.values = this.newValues(this.kind === 'bool' ? this.values.length * 8 : this.values.length);
    this.offsets = new Int32Array(this.offsets.length);
    this.byteLength = 0;
    return data;
  }
}

/** A batch goes out at this many rows, or (where rows trickle in) after this long, whichever comes first. */
export const BATCH_ROWS = 50_000;
export const BATCH_MS = 200;

export type ResultColumn = { name: string; kind: ColumnKind };

/** Column names as a table needs them: duplicates get a suffix (DuckDB refuses two columns of one name). */
export function uniqueColumnNames(names: string[]): string[] {
  const seen = new Set<string>();
  return names.map((n) => {
    let name = n || 'column';
    for (let k = 1; seen.has(name.toLowerCase()); k++) name = `${n}_${k}`;
    seen.add(name.toLowerCase());
    return name;
  });
}

/** Builds record batches of one schema, row by row. */
export class BatchBuilder {
  readonly schema: Schema;
  readonly columns: ColumnBuilder[];

  constructor(columns: ResultColumn[]) {
    this.schema = new Schema(columns.map((c) => new Field(c.name, arrowType(c.kind), true)));
    this.columns = columns.map((c) => new ColumnBuilder(c.kind));
  }

  get rows(): number {
    return this.columns[0]?.length ?? 0;
  }

  finish(): RecordBatch {
    const length = this.rows;
    const children = this.columns.map((c) => c.finish());
    return new RecordBatch(
      this.schema,
      makeData({ type: new Struct(this.schema.fields), length, nullCount: 0, children })
    );
  }
}
