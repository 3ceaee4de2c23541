// Line diffs for comparing versions of a cell (and for restoring text by small edits): common lines are trimmed
// from both ends, then Myers' O((N+M)·D) shortest edit script runs on the middle, with lines interned as numbers.
// Past MAX_EDIT_DISTANCE differing lines the middle is reported as replaced wholesale, so two unrelated
// 100,000-line texts cost linear time instead of quadratic.

export type DiffOp = 'same' | 'removed' | 'added';
export type DiffLine = { op: DiffOp; text: string };

const MAX_EDIT_DISTANCE = 2_000;

export function diffLines(before: string, after: string): DiffLine[] {
  if (before === after) return before === '' ? [] : before.split('\n').map((text) => ({ op: 'same', text }));
  return diffSequences(before.split('\n'), after.split('\n'));
}

/** The diff of two sequences of lines; within each run of changes, removed lines come before added ones. */
export function diffSequences(a: readonly string[], b: readonly string[]): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffLine[] = [];
  for (let i = 0; i < start; i++) out.push({ op: 'same', text: a[i]! });
  const ids = new Map<string, number>();
  const intern = (s: string) => {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, (id = ids.size));
    return id;
  };
  const ma = a.slice(start, endA);
  const mb = b.slice(start, endB);
  const script = myers(ma.map(intern), mb.map(intern));
  if (script) {
    let i = 0;
    let j = 0;
    for (const op of script) {
      if (op === 'same') {
        out.push({ op, text: ma[i++]! });
        j++;
      } else if (op === 'removed') out.push({ op, text: ma[i++]! });
      else out.push({ op, text: mb[j++]! });
    }
  } else {
    for (const text of ma) out.push({ op: 'removed', text });
    for (const text of mb) out.push({ op: 'added', text });
  }
  for (let i = endA; i < a.length; i++) out.push({ op: 'same', text: a[i]! });
  return groupChanges(out);
}

/** Myers' greedy algorithm with the furthest-reaching paths kept per step for the walk back; null when the
 * texts differ in more than MAX_EDIT_DISTANCE lines. */
function myers(a: number[], b: number[]): DiffOp[] | null {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return [...Array<DiffOp>(n).fill('removed'), ...Array<DiffOp>(m).fill('added')];
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice(offset - d, offset + d + 1));
        return walkBack(trace, n, m);
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  return null;
}

function walkBack(trace: Int32Array[], n: number, m: number): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const prev = trace[d - 1]!; // covers k = -(d-1) … d-1, stored from index 0
    const at = (k: number) => prev[k + d - 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push('same');
      x--;
      y--;
    }
    if (x === prevX) {
      ops.push('added');
      y--;
    } else {
      ops.push('removed');
      x--;
    }
  }
  while (x > 0 && y > 0) {
    ops.push('same');
    x--;
    y--;
  }
  return ops.reverse();
}

/** Within each run of changed lines, the removed ones first: easier to read than an interleaving. */
function groupChanges(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let removed: DiffLine[] = [];
  let added: DiffLine[] = [];
  const flush = () => {
    out.push(...removed, ...added);
    removed = [];
    added = [];
  };
  for (const l of lines) {
    if (l.op === 'same') {
      flush();
      out.push(l);
    } else (l.op === 'removed' ? removed : added).push(l);
  }
  flush();
  return out;
}

export type TextEdit = { index: number; remove: number; insert: string };

/** Character edits that turn `before` into `after`, one per run of changed lines, trimmed to the characters that
 * differ and ordered from the end (so each index is valid when applied in order). Restoring text by these edits
 * leaves untouched lines as they are, and with them whatever someone else is typing there. */
export function textEdits(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  // Every line is taken with its newline, the text with one more at its end (never edited, see below).
  const lines = diffLines(before, after);
  const edits: TextEdit[] = [];
  const total = before.length + 1;
  let pos = 0;
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.op === 'same') {
      pos += l.text.length + 1;
      i++;
      continue;
    }
    let old = '';
    let neu = '';
    while (i < lines.length && lines[i]!.op !== 'same') {
      const c = lines[i++]!;
      if (c.op === 'removed') old += c.text + '\n';
      else neu += c.text + '\n';
    }
    let p = 0;
    while (p < old.length && p < neu.length && old[p] === neu[p]) p++;
    let q = 0;
    while (q < old.length - p && q < neu.length - p && old[old.length - 1 - q] === neu[neu.length - 1 - q])
      q++;
    let index = pos + p;
    const remove = old.length - p - q;
    let insert = neu.slice(p, neu.length - q);
    // An edit reaching the added newline is a deletion or an insertion of whole lines at the very end (anything
    // else would have kept that newline in common): "…\nX\n" minus "X\n" is "…" minus "\nX", and "…\n" plus
    // "X\n" is "…" plus "\nX", both inside the real text.
    if (index + remove === total && index > 0) {
      index--;
      if (insert) insert = '\n' + insert.slice(0, -1);
    }
    edits.push({ index, remove: Math.min(remove, before.length - index), insert });
    pos += old.length;
  }
  return edits.filter((e) => e.remove > 0 || e.insert.length > 0).reverse();
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  for (const e of edits) text = text.slice(0, e.index) + e.insert + text.slice(e.index + e.remove);
  return text;
}
