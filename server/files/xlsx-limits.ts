// Checks an .xlsx (a zip of XML parts) before it is parsed: a tiny workbook can hold a sheet that inflates to
// gigabytes, or one cell with a 200 MB string, and the parser reads everything into memory. The zip's own
// directory is read, then each XML part is inflated as a stream, counting the bytes it really yields (a zip can
// lie about sizes) and the longest run of text between two tags, so nothing large is ever held.
import { open, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInflateRaw } from 'node:zlib';
import { AppError } from '../errors';

/** The XML of a workbook, inflated, may be this large at most. */
const XLSX_XML_LIMIT_BYTES = 512 * 1024 ** 2;
/** Excel itself holds at most 32,767 characters in a cell; a run of text is bytes (up to 4 per character) and
 * may spell characters as entities (`&amp;`), so runs are measured with room to spare. */
const EXCEL_CELL_CHARS = 32_767;
const RUN_LIMIT_BYTES = EXCEL_CELL_CHARS * 6;

type Entry = { name: string; method: number; compressedSize: number; localHeader: number };

const bad = (message: string) => new AppError('invalid', message);
const damaged = () =>
  bad('This is not an Excel workbook (.xlsx) that can be read: it may be damaged, or an older .xls file.');

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** The zip's central directory (the end record is within the last 64 KB + 22 bytes of the file). */
async function entries(file: string): Promise<Entry[]> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const tailStart = Math.max(0, size - (0xffff + 22));
    const tail = await readAt(fh, tailStart, size - tailStart);
    const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (end < 0 || end + 22 > tail.length) throw damaged();
    const count = tail.readUInt16LE(end + 10);
    const dirSize = tail.readUInt32LE(end + 12);
    const dirOffset = tail.readUInt32LE(end + 16);
    if (dirOffset === 0xffffffff || dirOffset + dirSize > size) throw damaged(); // zip64: far beyond our limits
    const dir = await readAt(fh, dirOffset, dirSize);
    const out: Entry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== 0x02014b50) throw damaged();
      const nameLength = dir.readUInt16LE(p + 28);
      const extraLength = dir.readUInt16LE(p + 30);
      const commentLength = dir.readUInt16LE(p + 32);
      out.push({
        method: dir.readUInt16LE(p + 10),
        compressedSize: dir.readUInt32LE(p + 20),
        localHeader: dir.readUInt32LE(p + 42),
        name: dir.toString('utf8', p + 46, p + 46 + nameLength)
      });
      p += 46 + nameLength + extraLength + commentLength;
    }
    // Where each part's data starts: after its local header, whose own name and extra lengths may differ.
    for (const e of out) {
      const local = await readAt(fh, e.localHeader, 30);
      if (local.length < 30 || local.readUInt32LE(0) !== 0x04034b50) throw damaged();
      e.localHeader += 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** Throws a readable error when the workbook's XML is too large in total or holds an over-long cell. */
export async function checkWorkbookSize(file: string, limitBytes = XLSX_XML_LIMIT_BYTES): Promise<void> {
  let total = 0;
  for (const e of await entries(file)) {
    if (!/\.xml$/i.test(e.name) || e.compressedSize === 0) continue;
    if (e.method !== 0 && e.method !== 8) throw damaged();
    const raw = createReadStream(file, { start: e.localHeader, end: e.localHeader + e.compressedSize - 1 });
    const xml = e.method === 8 ? raw.pipe(createInflateRaw()) : raw;
    let run = 0;
    try {
      for await (const chunk of xml) {
        const bytes = chunk as Buffer;
        total += bytes.length;
        if (total > limitBytes) {
          throw bad(
            `This workbook unpacks to more than ${limitBytes / 1024 ** 2} MB of sheet data, more than an upload may use. ` +
              'Save it as CSV and upload that. Nothing was stored.'
          );
        }
        for (let at = 0; at < bytes.length;) {
          const tag = bytes.indexOf(0x3c, at); // '<'
          run += (tag < 0 ? bytes.length : tag) - at;
          if (run > RUN_LIMIT_BYTES) {
            throw bad(
              `A cell in this workbook holds more than ${EXCEL_CELL_CHARS.toLocaleString('en-US')} characters, ` +
                'more than Excel itself allows; it cannot be read. Nothing was stored.'
            );
          }
          if (tag < 0) break;
          run = 0;
          at = tag + 1;
        }
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw damaged();
    } finally {
      raw.destroy();
      if (xml !== raw) xml.destroy();
    }
  }
}
