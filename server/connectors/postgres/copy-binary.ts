// A streaming reader of PostgreSQL's binary COPY format: it fills column builders tuple by tuple, across chunk
// boundaries, without materialising rows. https://www.postgresql.org/docs/current/sql-copy.html (Binary Format)
import type { BatchBuilder } from '../arrow-columns';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export class CopyBinaryReader {
  private pending: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private ended = false;
  /** A tuple beyond `limit` arrived (the query was asked for one row more than the cap, to tell). */
  overflow = false;
  rows = 0;

  /** Feeds a chunk; appends every complete tuple to `into`, up to `limit` rows in total. */
  push(chunk: Buffer, into: BatchBuilder, limit: number): void {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let o = 0;
    if (!this.headerDone) {
      if (buf.length < 19) return void (this.pending = Buffer.from(buf));
      if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('Not a binary COPY stream.');
      const ext = buf.readInt32BE(15);
      if (buf.length < 19 + ext) return void (this.pending = Buffer.from(buf));
      o = 19 + ext;
      this.headerDone = true;
    }
    const cols = into.columns;
    while (!this.ended && !this.overflow && o + 2 <= buf.length) {
      const count = buf.readInt16BE(o);
      if (count === -1) {
        this.ended = true;
        o += 2;
        break;
      }
      if (this.rows >= limit) {
        this.overflow = true;
        break;
      }
      // Is the whole tuple here? Walk the field lengths first, then decode.
      let p = o + 2;
      let complete = true;
      for (let i = 0; i < count; i++) {
        if (p + 4 > buf.length) {
          complete = false;
          break;
        }
        const len = buf.readInt32BE(p);
        p += 4 + (len > 0 ? len : 0);
        if (p > buf.length) {
          complete = false;
          break;
        }
      }
      if (!complete) break;
      p = o + 2;
      for (let i = 0; i < count; i++) {
        const len = buf.readInt32BE(p);
        p += 4;
        const col = cols[i]!;
        if (len < 0) col.putNull();
        else {
          col.putBytes(buf, p, len);
          p += len;
        }
      }
      o = p;
      this.rows++;
    }
    // Keep only the unread tail; copy it so the (large) chunk it came from can be freed.
    this.pending = o >= buf.length || this.overflow ? Buffer.alloc(0) : Buffer.from(buf.subarray(o));
  }

  get finished(): boolean {
    return this.ended;
  }
}
