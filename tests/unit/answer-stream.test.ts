// The assistant's streamed answer: cells come out as soon as each is complete, however the text is chunked.
import { describe, expect, it } from 'vitest';
import { AnswerStream, NOT_JSON } from '../../server/ai/answer-stream';

const answer = {
  explanation: 'Revenue by month, then a chart. Braces in strings: {[("]})',
  cells: [
    { kind: 'sql', name: 'monthly', sql: 'select \'}\' as x, "a\\"b" from t -- ]', columns: ['x'] },
    { kind: 'chart', source: 'monthly', mark: 'line', x: { field: 'x', type: 'nominal' } },
    { kind: 'text', markdown: 'Nested [arrays] and {"objects": [1, {"a": 2}]}' }
  ]
};

describe('AnswerStream', () => {
  it('yields each cell once it is complete, for every way of cutting the text', () => {
    const text = JSON.stringify(answer, null, 2);
    for (const size of [1, 2, 3, 7, 64, text.length]) {
      const s = new AnswerStream();
      const got: unknown[] = [];
      const after: number[] = [];
      for (let i = 0; i < text.length; i += size) {
        const out = s.push(text.slice(i, i + size));
        got.push(...out);
        for (const _ of out) after.push(Math.min(i + size, text.length));
      }
      expect(got).toEqual(answer.cells);
      // Each cell came out before the answer ended (the last one when its brace arrived, not at the very end).
      if (size < 64) expect(after[0]!).toBeLessThan(text.indexOf('"chart"'));
      expect(s.full).toBe(text);
    }
  });

  it('ignores "cells" keys nested elsewhere, and objects outside the cells array', () => {
    const s = new AnswerStream();
    const out = s.push(
      JSON.stringify({ meta: { cells: [{ a: 1 }] }, cells: [{ kind: 'text', markdown: 'x' }] })
    );
    expect(out).toEqual([{ kind: 'text', markdown: 'x' }]);
  });

  it('marks a broken element instead of throwing', () => {
    const s = new AnswerStream();
    expect(s.push('{"cells": [{"kind": "text", "markdown": tru}')).toEqual([NOT_JSON]);
  });
});
