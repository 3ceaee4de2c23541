// Comment ranges as relative positions: they follow edits before, inside and after them, survive a trip through
// another replica, and resolve to nothing once their text is deleted; mentions typed as names become ids and back.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { mentionedIds, mentionsAsNames } from '$cells/comments';
import { makeAnchor, resolveAnchor, selectionIn } from '$lib/comments/anchor';
import { decodeMentions, encodeMentions, mentionChoices, mentionQuery } from '$lib/comments/mention-text';

function textOf(s: string) {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  text.insert(0, s);
  return { doc, text };
}
const slice = (text: Y.Text, r: { from: number; to: number } | null) =>
  r ? text.toString().slice(r.from, r.to) : null;

describe('comment anchors', () => {
  it('follow the text as it changes around and inside the range', () => {
    const { text } = textOf('select amount from orders');
    const anchor = makeAnchor(text, 7, 13)!;
    expect(anchor.quote).toBe('amount');
    text.insert(0, '-- totals\n');
    text.insert(text.length, ' where x');
    expect(slice(text, resolveAnchor(text, anchor))).toBe('amount');
    // Typing at either edge stays outside; typing inside widens it.
    const at = text.toString().indexOf('amount');
    text.insert(at + 6, ')');
    text.insert(at, 'sum(');
    expect(slice(text, resolveAnchor(text, anchor))).toBe('amount');
    text.insert(at + 4 + 3, '_');
    expect(slice(text, resolveAnchor(text, anchor))).toBe('amo_unt');
  });

  it('resolve the same in another replica, and to nothing when their text is deleted', () => {
    const { doc, text } = textOf('a quick fox');
    const anchor = makeAnchor(text, 2, 7)!;
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    expect(slice(other.getText('t'), resolveAnchor(other.getText('t'), anchor))).toBe('quick');
    text.delete(1, 7); // " quick " goes
    expect(resolveAnchor(text, anchor)).toBeNull();
  });

  it('are refused for empty ranges, other texts and garbage', () => {
    const { doc, text } = textOf('abc');
    expect(makeAnchor(text, 1, 1)).toBeNull();
    const anchor = makeAnchor(text, 0, 2)!;
    expect(resolveAnchor(doc.getText('other'), anchor)).toBeNull();
    expect(resolveAnchor(text, { start: '!!!', end: 'AA==', quote: '' })).toBeNull();
  });

  it("read the person's selection from y-codemirror's awareness state", () => {
    const { text } = textOf('hello world');
    const cursor = {
      anchor: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, 11)),
      head: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(text, 6))
    };
    expect(selectionIn(text, { cursor })).toEqual({ from: 6, to: 11 });
    expect(selectionIn(text, { cursor: null })).toBeNull();
    expect(selectionIn(textOf('hello world').text, { cursor })).toBeNull();
  });
});

describe('mentions', () => {
  const members = [
    { id: 'aaaaaaaaaaaaaaaa', name: 'Ada' },
    { id: 'bbbbbbbbbbbbbbbb', name: 'Ada Lovelace' },
    { id: 'cccccccccccccccc', name: 'Bob' }
  ];

  it('turn typed names into ids (the longest name first) and back', () => {
    const body = encodeMentions('@Ada Lovelace and @Ada, not @Adam or bob@Bobby; @Bob.', members);
    expect(body).toBe(
      '@{bbbbbbbbbbbbbbbb} and @{aaaaaaaaaaaaaaaa}, not @Adam or bob@Bobby; @{cccccccccccccccc}.'
    );
    expect(mentionedIds(body)).toEqual(['bbbbbbbbbbbbbbbb', 'aaaaaaaaaaaaaaaa', 'cccccccccccccccc']);
    expect(decodeMentions(body, members)).toBe('@Ada Lovelace and @Ada, not @Adam or bob@Bobby; @Bob.');
  });

  it('show as names with markdown escaped, unknown ids as someone', () => {
    const nameOf = (id: string) => (id === 'aaaaaaaaaaaaaaaa' ? '<b>*Ada*</b>' : undefined);
    expect(mentionsAsNames('hi @{aaaaaaaaaaaaaaaa} @{zzzzzzzzzzzzzzzz}', nameOf)).toBe(
      'hi **@\\<b\\>\\*Ada\\*\\</b\\>** **@someone**'
    );
  });

  it('suggest members for the @ being typed', () => {
    expect(mentionQuery('hello @Ad', 9)).toEqual({ at: 6, query: 'Ad' });
    expect(mentionQuery('mail bob@ex', 11)).toBeNull();
    expect(mentionChoices(members, 'lov').map((m) => m.name)).toEqual(['Ada Lovelace']);
    expect(mentionChoices(members, 'a').map((m) => m.name)).toEqual(['Ada', 'Ada Lovelace']);
    expect(mentionChoices(members, 'o').map((m) => m.name)).toEqual(['Ada Lovelace', 'Bob']);
  });
});
