import { describe, expect, it } from 'vitest';
import { diffLines as lineDiff } from '../../cells/line-diff';

describe('lineDiff', () => {
  it('keeps common lines and shows what changed, in order', () => {
    const d = lineDiff('select a,\n  b\nfrom t\nwhere x', 'select a,\n  c\nfrom t\nwhere x\nlimit 5');
    expect(d).toEqual([
      { op: 'same', text: 'select a,' },
      { op: 'removed', text: '  b' },
      { op: 'added', text: '  c' },
      { op: 'same', text: 'from t' },
      { op: 'same', text: 'where x' },
      { op: 'added', text: 'limit 5' }
    ]);
  });
  it('rebuilds both sides', () => {
    const before = 'a\nb\nc\nd';
    const after = 'b\nx\nd\ne';
    const d = lineDiff(before, after);
    expect(
      d
        .filter((l) => l.op !== 'added')
        .map((l) => l.text)
        .join('\n')
    ).toBe(before);
    expect(
      d
        .filter((l) => l.op !== 'removed')
        .map((l) => l.text)
        .join('\n')
    ).toBe(after);
  });
});
