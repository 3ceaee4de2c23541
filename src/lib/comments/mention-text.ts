// Mentions as people type them and as they are stored. The composer shows "@Ada Lovelace"; the body sent to the
// server says "@{userId}" (cells/comments.ts), so a renamed member is still mentioned and the server can check
// that everyone mentioned is a member.
import type { CommentMember } from '$cells/comments';
import { MENTION } from '$cells/comments';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** "@Name" of each member (longest names first, so "@Ada Lovelace" wins over "@Ada") → "@{id}". */
export function encodeMentions(text: string, members: CommentMember[]): string {
  const byLength = [...members].filter((m) => m.name.trim()).sort((a, b) => b.name.length - a.name.length);
  if (byLength.length === 0) return text;
  const pattern = new RegExp(
    `@(${byLength.map((m) => escapeRegExp(m.name)).join('|')})(?![\\p{L}\\p{N}_])`,
    'gu'
  );
  return text.replace(pattern, (whole, name: string) => {
    const m = byLength.find((x) => x.name === name);
    return m ? `@{${m.id}}` : whole;
  });
}

/** "@{id}" → "@Name", for editing a stored body; ids of people no longer members stay as they are. */
export function decodeMentions(body: string, members: CommentMember[]): string {
  return body.replace(MENTION, (whole, id: string) => {
    const m = members.find((x) => x.id === id);
    return m ? `@${m.name}` : whole;
  });
}

/** The "@…" being typed just before the caret, if any: where it starts and what follows the @. */
export function mentionQuery(text: string, caret: number): { at: number; query: string } | null {
  const m = /(?:^|\s)@([^\s@]{0,40})$/u.exec(text.slice(0, caret));
  if (!m) return null;
  return { at: caret - m[1]!.length - 1, query: m[1]! };
}

/** Members whose name starts with the query (then those containing it), at most `max`. */
export function mentionChoices(members: CommentMember[], query: string, max = 6): CommentMember[] {
  const q = query.toLowerCase();
  const starts = members.filter((m) => m.name.toLowerCase().startsWith(q));
  const contains = members.filter((m) => !starts.includes(m) && m.name.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, max);
}
