// The checks that run before DuckDB or the Excel parser sees an upload: JSON depth and a workbook's real size.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../server/files/json-depth';
import { checkWorkbookSize } from '../../server/files/xlsx-limits';
import { workbookWithCell, zip } from '../integration/helpers/zip';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sheaf-prechecks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, body: string | Buffer) {
  const p = path.join(dir, name);
  await writeFile(p, body);
  return p;
}

describe('JSON depth', () => {
  it('counts arrays and objects, across lines of NDJSON', async () => {
    expect(await nestsDeeperThan(await file('a.json', '{"a": [[{"b": [1]}]]}'), 5)).toBe(false);
    expect(await nestsDeeperThan(await file('b.json', '{"a": [[{"b": [[1]]}]]}'), 5)).toBe(true);
    expect(await nestsDeeperThan(await file('c.json', '{"a":[1]}\n{"a":[[[[[[2]]]]]]}\n'), 5)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', async () => {
    const text = JSON.stringify({ s: '[[[[[[[[[[ \\" {{{{{{{{{', t: '"[[[[[[[[' });
    expect(await nestsDeeperThan(await file('d.json', text), 3)).toBe(false);
  });

  it('reads across chunk boundaries of a large file', async () => {
    const depth = 120;
    const padding = ' '.repeat(200_000);
    const body = `${padding}${'['.repeat(depth)}1${']'.repeat(depth)}`;
    expect(await nestsDeeperThan(await file('e.json', body), 100)).toBe(true);
    expect(await nestsDeeperThan(await file('f.json', body), 120)).toBe(false);
  });
});

describe('workbook size', () => {
  it('lets an ordinary workbook through', async () => {
    await expect(
      checkWorkbookSize(await file('ok.xlsx', workbookWithCell('hello')))
    ).resolves.toBeUndefined();
  });

  it('refuses a cell longer than Excel allows, from a tiny file', async () => {
    const body = workbookWithCell('x'.repeat(40_000 * 6));
    await expect(checkWorkbookSize(await file('long.xlsx', body))).rejects.toThrow(
      /more than 32,767 characters/
    );
  });

  it('refuses a workbook whose XML unpacks past the limit, counting what really inflates', async () => {
    const cells = Array.from({ length: 20_000 }, (_, i) => `<c r="A${i}"><v>${i}</v></c>`).join('');
    const big = zip([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.from(cells.repeat(10)) }]);
    await expect(checkWorkbookSize(await file('big.xlsx', big), 1024 * 1024)).rejects.toThrow(
      /unpacks to more than 1 MB/
    );
  });

  it('calls a file that is not a zip damaged', async () => {
    await expect(checkWorkbookSize(await file('no.xlsx', 'not a zip at all'))).rejects.toThrow(
      /not an Excel workbook/
    );
  });
});
