// What a cell kind the assistant can write provides, in cells/<kind>/assistant.ts: the JSON shape the model writes for
// it, how that is checked against the notebook, and how it becomes a cell. cells/prompt/answer.ts lists the kinds;
// the server (server/ai/) and the browser (PromptRunner) go through that list, never through kind names.
import type { z } from 'zod';
import type { NewCell } from './document';

/** What an answer may refer to: results by name (with their columns when known) and connection ids. */
export type Known = { results: Map<string, string[] | null>; engines: Set<string> };

/** A cell of an answer after its check: as it goes into the notebook, or what is wrong with it. */
export type Checked<A> = { ok: true; cell: A } | { ok: false; error: string };

/** One kind's part of an answer; `A` is its cell as the model wrote it, after `schema`. */
export interface AssistantOutput<A extends { kind: string }> {
  /** The shape the model writes, `kind` a literal; part of the JSON Schema the model is given. */
  schema: z.ZodType<A>;
  /**
   * Checks a cell against what the notebook (and the answer's cells before it) offers, and returns it as it goes in.
   * The error completes "The assistant wrote …". A cell that makes a result adds it to `known`.
   */
  check(cell: A, known: Known): Checked<A>;
  /** The cell to insert into the notebook. */
  toNewCell(cell: A): NewCell;
  /** For a cell that names a result: that name, which can be changed (the notebook may already use it). */
  result?: { name(cell: A): string; rename(cell: A, name: string): A };
  /** For a cell that reads results: reads them under the names given to results earlier in the answer. */
  followRenames?(cell: A, renamed: ReadonlyMap<string, string>): A;
}
