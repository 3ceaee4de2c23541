// How the server and its DuckDB child processes (dashboard workbenches, file-connection queries) talk: each message
// is a frame of a 12-byte prefix (header length as u32, payload length as u64, both big-endian), a JSON header,
// then raw payload bytes (Arrow IPC). Binary rather than base64-in-JSON because a reply may carry a million
// rows, and encoding them as text would cost time and a third more memory. What the headers mean is each
// protocol's business (workbench-protocol.ts, query-protocol.ts), checked with zod on arrival.
import { constants } from 'node:buffer';
import type { Writable } from 'node:stream';

const PREFIX_BYTES = 12;
/** A header is a request's SQL and names, or a reply's message: anything near this size is a bug. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export type Frame = { header: unknown; payload: Buffer };

/** Writes one frame; resolves once the stream took it, rejects if the other side is gone. */
export function writeFrame(stream: Writable, header: object, payload?: Uint8Array): Promise<void> {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.writeUInt32BE(json.length, 0);
  prefix.writeBigUInt64BE(BigInt(payload?.byteLength ?? 0), 4);
  return new Promise((resolve, reject) => {
    const done = (e?: Error | null) => (e ? reject(e) : resolve());
    if (!payload?.byteLength) return void stream.write(Buffer.concat([prefix, json]), done);
    stream.write(Buffer.concat([prefix, json]));
    stream.write(payload, done);
  });
}

/** Cuts a byte stream into frames, copying each payload once however many chunks it arrived in. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private next: { headerBytes: number; payloadBytes: number } | null = null;

  /** The frames `chunk` completes; throws on a prefix no writer of ours would send. */
  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.size += chunk.length;
    const out: Frame[] = [];
    for (;;) {
      if (!this.next) {
        if (this.size < PREFIX_BYTES) break;
        const prefix = this.take(PREFIX_BYTES);
        const headerBytes = prefix.readUInt32BE(0);
        const payloadBytes = Number(prefix.readBigUInt64BE(4));
        if (headerBytes > MAX_HEADER_BYTES || payloadBytes > constants.MAX_LENGTH)
          throw new Error(`a frame of ${headerBytes} + ${payloadBytes} bytes is out of bounds`);
        this.next = { headerBytes, payloadBytes };
      }
      const { headerBytes, payloadBytes } = this.next;
      if (this.size < headerBytes + payloadBytes) break;
      const header = JSON.parse(this.take(headerBytes).toString('utf8')) as unknown;
      out.push({ header, payload: aligned(this.take(payloadBytes)) });
      this.next = null;
    }
    return out;
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (n === 0 || !first) return Buffer.alloc(0);
    this.size -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafeSlow(n);
    for (let at = 0; at < n;) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}

/** Arrow reads 64-bit columns in place, which needs their bytes 8-aligned in memory; a pipe chunk's slice may not be. */
function aligned(b: Buffer): Buffer {
  if (b.byteOffset % 8 === 0) return b;
  const copy = Buffer.allocUnsafeSlow(b.length);
  b.copy(copy);
  return copy;
}
