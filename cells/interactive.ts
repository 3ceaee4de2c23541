// What a published dashboard's viewers need to recompute its cards for their own input values (issue 21): the
// inputs they may change (with the values each allows), the base tables published for them as Parquet (only the
// columns the queries read), the cells to re-run for each choice in notebook order, and which cards follow which
// inputs. Planned in cells/interactive-plan/ and written by the server at publish/refresh
// (server/publish/interactive-tables.ts), read by the dashboard
// page (src/lib/dashboard/); zod-checked when read back from disk like the rest of the dashboard.
import { z } from 'zod';
import { InputConfigSchema, OptionSchema } from './input/config';
import { InputValuesSchema } from './sql/parameters';

/** An input a viewer may change: its settings as published, the choices it allows, and its value at publish. */
export const PublishedInputSchema = z.object({
  cellId: z.string().min(1).max(64),
  /** As SQL names it: `{{name}}`; also the URL parameter (`?name=…`). */
  name: z.string().min(1).max(63),
  config: InputConfigSchema.omit({ value: true, default: true }),
  /** A dropdown's or multi-select's allowed choices, resolved at publish (a column's distinct values included). */
  choices: z.array(OptionSchema).max(1000),
  /** The value every viewer starts from (the notebook's value when it was published). */
  initial: z.unknown()
});
export type PublishedInput = z.infer<typeof PublishedInputSchema>;

/**
 * A table published for viewers' browsers: `/d/<slug>/snapshots/<snapshotId>/<file>` (the page's `snapshotId`),
 * read with range requests.
 */
export const BaseTableSchema = z.object({
  /** The name the queries read it by (an uploaded file's table name or an earlier cell's result). */
  name: z.string().min(1).max(63),
  /** File name inside the snapshot: `table-<n>.parquet`. */
  file: z.string().regex(/^table-\d{1,4}\.parquet$/),
  columns: z.array(z.object({ name: z.string(), type: z.string() })),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative()
});
export type BaseTable = z.infer<typeof BaseTableSchema>;

/**
 * A cell re-run for a viewer's values, in notebook order. `browser`: its SQL runs in the viewer's DuckDB-WASM
 * over base tables and earlier re-run cells. `server`: it runs on a database connection; the browser asks
 * `/d/<slug>/cells/<name>` for its result with the values bound (allowed values only, cached, rate-limited).
 *
 * That request: `GET /d/<slug>/cells/<name>?values=<URL-encoded JSON object: input name → value as its widget
 * holds it>` (inputs left out keep their published values) → 200, an Arrow IPC stream of the whole result, with
 * headers `x-sheaf-rows`, `x-sheaf-truncated` (cut at the row cap) and `x-sheaf-cache` (cache|shared|ran).
 * Errors are JSON `{error: {code, message}}` whose message can be shown as it is: 400 for a value the input does
 * not allow or an input not on the dashboard (the message names it), 401/404 as for the page, 429 with
 * `retry-after` when a viewer (or the dashboard) ran too many new values, 503 when the query failed.
 * (server/publish/live-cell.ts)
 */
export const ReplayCellSchema = z.discriminatedUnion('runsOn', [
  z.object({ runsOn: z.literal('browser'), name: z.string(), sql: z.string() }),
  z.object({ runsOn: z.literal('server'), name: z.string() })
]);
export type ReplayCell = z.infer<typeof ReplayCellSchema>;

/** A card that changes with inputs: which inputs (by name, lower case) and, for text, its markdown to re-render. */
export const LiveCardSchema = z.object({
  cellId: z.string(),
  inputs: z.array(z.string()),
  /** Text cards: their markdown, rendered with the viewer's values (sanitised as on the server). */
  markdown: z.string().optional(),
  /**
   * Chart cards: the spec before chart-data's aggregation rewrite (the browser aggregates the recomputed result
   * again with cells/chart/chart-data.ts) and the result it draws.
   */
  chart: z.object({ spec: z.record(z.string(), z.unknown()), source: z.string() }).optional()
});
export type LiveCard = z.infer<typeof LiveCardSchema>;

/** A precomputed answer's file inside the snapshot. */
export const ANSWER_FILE = /^answer-\d{1,5}\.arrow$/;

/**
 * Re-run cells' results computed at publish for every choice of the dropdowns (or checkboxes) they follow (server/publish/
 * precompute.ts), so a viewer picking one gets the cards at once, with no engine to start. One entry per set of
 * dropdowns (`inputs`, lower case): for each choice (its answerKey, cells/answers.ts) one file at
 * `/d/<slug>/snapshots/<snapshotId>/<file>` holding, one after another, an Arrow IPC stream per part (a cell's
 * result, `bytes` long). A cell missing from a choice's parts (its result too big to keep) is computed in the
 * browser as without this.
 */
export const PrecomputedSchema = z.object({
  inputs: z.array(z.string().min(1).max(63)).min(1).max(8),
  answers: z.record(
    z.string().max(8000),
    z.object({
      file: z.string().regex(ANSWER_FILE),
      parts: z.array(z.object({ cell: z.string().min(1).max(63), bytes: z.number().int().nonnegative() }))
    })
  )
});
export type Precomputed = z.infer<typeof PrecomputedSchema>;

export const InteractiveSchema = z.object({
  inputs: z.array(PublishedInputSchema),
  tables: z.array(BaseTableSchema),
  cells: z.array(ReplayCellSchema),
  cards: z.array(LiveCardSchema),
  /** Cards whose inputs could not be made interactive, and why (e.g. too much data to publish). */
  frozen: z.array(z.object({ cellId: z.string(), reason: z.string() })),
  /**
   * Inputs not on the grid that browser re-runs bind, with their values as bound at publish: viewers cannot change
   * them, and bind them beside their own. (Connection cells' fixed values stay on the server.) Absent: none.
   */
  fixed: InputValuesSchema.optional(),
  /** Results computed at publish for dropdown choices; absent: none. */
  precomputed: z.array(PrecomputedSchema).max(1000).optional()
});
export type Interactive = z.infer<typeof InteractiveSchema>;
