// Arrow IPC stream bytes, batch by batch, so a result can be written to the network as rows arrive.
// A response carries two concatenated IPC streams: the result, then a one-row status table saying how the run
// ended (finished, cut at the row cap, or failed after some rows), which HTTP cannot say once the body started.
import { RecordBatchStreamWriter, tableFromArrays, tableToIPC, type RecordBatch } from 'apache-arrow';

const EOS = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

export class IpcStreamEncoder {
  private started = false;

  /** The bytes of one batch; the first call also carries the schema message. */
  encode(batch: RecordBatch): Uint8Array {
    const writer = new RecordBatchStreamWriter();
    writer.write(batch);
    const bytes = writer.toUint8Array(true);
    if (!this.started) {
      this.started = true;
      return bytes;
    }
    // Each fresh writer repeats the schema message: continuation marker, metadata length, metadata (body-less).
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return bytes.subarray(8 + view.getInt32(4, true));
  }

  end(): Uint8Array {
    return EOS;
  }
}

export type RunStatus =
  | { status: 'ok'; rows: number; truncated: boolean }
  | { status: 'error'; rows: number; message: string; code: string };

export function statusStream(s: RunStatus): Uint8Array {
  return tableToIPC(
    tableFromArrays({
      status: [s.status],
      rows: Float64Array.from([s.rows]),
      truncated: [s.status === 'ok' && s.truncated],
      message: [s.status === 'error' ? s.message : ''],
      code: [s.status === 'error' ? s.code : '']
    }),
    'stream'
  );
}
