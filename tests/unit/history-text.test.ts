// How the History panel words a version (its title, kind, editors, summary) and folds unchanged diff lines.
import { describe, expect, it } from 'vitest';
import { diffLines } from '$cells/line-diff';
import { foldUnchanged } from '$lib/history/fold';
import { KIND_TEXT, namesText, summaryText, versionTitle } from '$lib/history/version-text';

describe('version text', () => {
  it('titles a version by its label, else by its kind', () => {
    expect(versionTitle({ kind: 'named', label: 'v1' })).toBe('v1');
    expect(versionTitle({ kind: 'auto', label: null })).toBe('Automatic');
    expect(versionTitle({ kind: 'restore', label: null })).toBe('Before restore');
    expect(versionTitle({ kind: 'assistant', label: '' })).toBe(KIND_TEXT.assistant);
    expect(KIND_TEXT.publish).toBe('Published');
  });

  it('summarises what changed in cells, in a fixed order, and says when nothing did', () => {
    expect(summaryText({ added: 2, removed: 1, changed: 3, moved: 0 })).toBe(
      '2 added · 3 changed · 1 removed'
    );
    expect(summaryText({ added: 0, removed: 0, changed: 0, moved: 1 })).toBe('1 moved');
    expect(summaryText({ added: 0, removed: 0, changed: 0, moved: 0 })).toBe('No cell changes');
  });

  it('names who edited, shortening long lists', () => {
    expect(namesText([])).toBe('');
    expect(namesText(['Ada'])).toBe('Ada');
    expect(namesText(['Ada', 'Bob'])).toBe('Ada and Bob');
    expect(namesText(['Ada', 'Bob', 'Cy'])).toBe('Ada, Bob and Cy');
    expect(namesText(['Ada', 'Bob', 'Cy', 'Di', 'Ed'])).toBe('Ada, Bob and 3 others');
  });
});

describe('foldUnchanged', () => {
  const lines = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `line ${i + from}`);

  it('keeps two lines of context around each change and folds the rest', () => {
    const before = lines(20).join('\n');
    const after = before.replace('line 10', 'LINE TEN');
    const rows = foldUnchanged(diffLines(before, after));
    expect(rows).toEqual([
      { folded: 8 },
      { line: { op: 'same', text: 'line 8' } },
      { line: { op: 'same', text: 'line 9' } },
      { line: { op: 'removed', text: 'line 10' } },
      { line: { op: 'added', text: 'LINE TEN' } },
      { line: { op: 'same', text: 'line 11' } },
      { line: { op: 'same', text: 'line 12' } },
      { folded: 7 }
    ]);
  });

  it('shows a single unchanged line between contexts instead of folding it', () => {
    const before = lines(7).join('\n');
    const after = before.replace('line 0', 'zero').replace('line 6', 'six');
    const rows = foldUnchanged(diffLines(before, after));
    expect(rows.some((r) => 'folded' in r)).toBe(false);
    expect(rows).toHaveLength(9);
  });

  it('shows everything of an all-added or all-removed text, and nothing of an empty one', () => {
    const added = lines(10).map((text) => ({ op: 'added' as const, text }));
    expect(foldUnchanged(added)).toHaveLength(10);
    expect(foldUnchanged([])).toEqual([]);
  });
});
