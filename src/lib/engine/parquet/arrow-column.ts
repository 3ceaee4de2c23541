// Arrow vectors built straight from JS values. apache-arrow's own builders compile code with `new Function`,
// which the app's Content-Security-Policy forbids, so the buffers are laid out here.
import { Bool, Float64, Int32, Int64, Utf8, makeData, makeVector, type Vector } from 'apache-arrow';

export type ArrowKind = 'bool' | 'int32' | 'int64' | 'float64' | 'utf8';

export function columnVector(kind: ArrowKind, values: unknown[]): Vector {
  const length = values.length;
  const validity = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    if (values[i] == null) nullCount++;
    else validity[i >> 3]! |= 1 << (i & 7);
  }
  const nullBitmap = nullCount ? validity : undefined;
  switch (kind) {
    case 'bool': {
      const bits = new Uint8Array(Math.ceil(length / 8));
      for (let i = 0; i < length; i++) if (values[i] === true) bits[i >> 3]! |= 1 << (i & 7);
      return makeVector(makeData({ type: new Bool(), length, nullCount, nullBitmap, data: bits }));
    }
    case 'int32': {
      const data = new Int32Array(length);
      for (let i = 0; i < length; i++) data[i] = (values[i] as number | null) ?? 0;
      return makeVector(makeData({ type: new Int32(), length, nullCount, nullBitmap, data }));
    }
    case 'int64': {
      const data = new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        const v = values[i];
        data[i] = v == null ? 0n : typeof v === 'bigint' ? v : BigInt(v as number);
      }
      return makeVector(makeData({ type: new Int64(), length, nullCount, nullBitmap, data }));
    }
    case 'float64': {
      const data = new Float64Array(length);
      for (let i = 0; i < length; i++) data[i] = Number(values[i] ?? 0);
      return makeVector(makeData({ type: new Float64(), length, nullCount, nullBitmap, data }));
    }
    case 'utf8': {
      const encoder = new TextEncoder();
      // Text columns repeat values a lot (Parquet stores most as dictionaries): encode each distinct one once.
      const seen = new Map<string, Uint8Array>();
      const encode = (text: string) => {
        let bytes = seen.get(text);
        if (!bytes) {
          bytes = encoder.encode(text);
          if (seen.size < 100_000) seen.set(text, bytes);
        }
        return bytes;
      };
      const parts: Uint8Array[] = [];
      const valueOffsets = new Int32Array(length + 1);
      let size = 0;
      for (let i = 0; i < length; i++) {
        const v = values[i];
        if (v != null) {
          const bytes = encode(String(v));
          parts.push(bytes);
          size += bytes.length;
        }
        valueOffsets[i + 1] = size;
      }
      const data = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        data.set(p, at);
        at += p.length;
      }
      return makeVector(makeData({ type: new Utf8(), length, nullCount, nullBitmap, data, valueOffsets }));
    }
  }
}
