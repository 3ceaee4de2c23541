// A published dashboard's results computed at publish for dropdown (and checkbox) choices (server/publish/
// precompute.ts), as the
// viewer's page finds them: a card whose cell was precomputed for the values chosen is drawn from that answer (one
// small file per choice in the snapshot, fetched once, holding every precomputed cell's result for it) with no
// engine to start. A page that sets `window.__sheafNoPrecomputed` uses none (bench:filter measures computing every
// change in the browser that way).
import { tableFromIPC, type Table } from 'apache-arrow';
import { answerKey, choiceCount } from '$cells/answers';
import type { Interactive, Precomputed } from '$cells/interactive';
import type { InputValues } from '$cells/sql/parameters';
import { record, traced } from '$lib/engine/trace';

type Answer = Precomputed['answers'][string];

export class PrecomputedAnswers {
  private readonly byCell = new Map<string, Precomputed>(); // by lower-cased cell name
  private readonly fetched = new Map<string, Promise<Map<string, Table> | null>>(); // by file; null: failed

  constructor(
    private readonly interactive: Interactive,
    private readonly urlOf: (file: string) => string
  ) {
    if ((globalThis as { __sheafNoPrecomputed?: boolean }).__sheafNoPrecomputed) return;
    for (const p of interactive.precomputed ?? [])
      for (const a of Object.values(p.answers)) for (const part of a.parts) this.byCell.set(part.cell, p);
  }

  /** Whether the cell's results were precomputed for every choice of the inputs it follows. */
  everyChoice(lower: string): boolean {
    const entry = this.byCell.get(lower);
    if (!entry) return false;
    const inputs = this.interactive.inputs.filter((i) => entry.inputs.includes(i.name.toLowerCase()));
    const choices = inputs.length === entry.inputs.length ? choiceCount(inputs) : Infinity;
    const having = Object.values(entry.answers).filter((a) => a.parts.some((p) => p.cell === lower));
    return having.length >= choices;
  }

  /** The cell's result for the values as bound, when it was precomputed (else null: compute it). */
  async get(lower: string, bound: InputValues): Promise<Table | null> {
    const entry = this.byCell.get(lower);
    if (!entry) return null;
    const byName = new Map(Object.entries(bound).map(([n, v]) => [n.toLowerCase(), v]));
    const answer = entry.answers[answerKey(entry.inputs, byName)];
    if (!answer?.parts.some((p) => p.cell === lower)) return null;
    record('card: precomputed answer', 0);
    return (await this.load(answer))?.get(lower) ?? null;
  }

  private load(answer: Answer): Promise<Map<string, Table> | null> {
    let got = this.fetched.get(answer.file);
    if (!got) {
      got = traced('answer: fetch', async () => {
        const res = await fetch(this.urlOf(answer.file));
        // A refreshed snapshot (404) or a network failure: computing instead says what went wrong, if anything.
        if (!res.ok) return null;
        const bytes = new Uint8Array(await res.arrayBuffer());
        const tables = new Map<string, Table>();
        let at = 0;
        for (const part of answer.parts) {
          tables.set(part.cell, tableFromIPC(bytes.subarray(at, at + part.bytes)));
          at += part.bytes;
        }
        return tables;
      }).catch(() => null);
      this.fetched.set(answer.file, got);
      // Not kept when it failed: the next change may try again.
      void got.then((t) => t ?? this.fetched.delete(answer.file));
    }
    return got;
  }
}
