// What a published dashboard's viewers receive: the layout and, per card, exactly what it shows — chart SVG and
// spec (its rows come separately as Arrow), sanitised text HTML, the first rows of a table as text, a big number.
// Built on the server from a frozen copy of the notebook (server/publish); no connection ids, no SQL of
// connection cells unless the author allows it. Zod-checked when read back from disk.
import { z } from 'zod';
import { CrossFilterTargetSchema } from './chart/cross-filter';
import { InteractiveSchema } from './interactive';
import { LayoutItemSchema } from './layout';

const Base = LayoutItemSchema.extend({
  /** Arranged rows may go below where anyone may place a card. */
  y: z.number().int().min(0),
  /** The cell's result name (SQL) or source (charts); text cells have none. */
  name: z.string(),
  /** Why this card has nothing to show, in words a reader understands. */
  error: z.string().optional()
});

export const PublishedItemSchema = z.discriminatedUnion('view', [
  Base.extend({
    view: z.literal('chart'),
    /** Server-rendered SVG (sanitised), or null when drawing failed or server SVG is off. */
    svg: z.string().nullable(),
    spec: z.record(z.string(), z.unknown()).nullable(),
    note: z.string(),
    /** Whether rows for hydration exist (charts/<cellId> as Arrow). */
    hasData: z.boolean(),
    /** Clicking a mark sets this input (cells/chart/cross-filter.ts); absent when the chart sets none. */
    crossFilter: CrossFilterTargetSchema.optional()
  }),
  Base.extend({ view: z.literal('text'), html: z.string() }),
  Base.extend({
    view: z.literal('table'),
    sql: z.string().nullable(),
    columns: z.array(z.string()),
    rows: z.array(z.array(z.string())),
    total: z.number().int().nonnegative()
  }),
  Base.extend({
    view: z.literal('number'),
    sql: z.string().nullable(),
    label: z.string(),
    value: z.string(),
    caption: z.string()
  }),
  /** A filter: its control is drawn from the input in `interactive.inputs` with the same cell id. */
  Base.extend({ view: z.literal('input'), label: z.string() })
]);
export type PublishedItem = z.infer<typeof PublishedItemSchema>;

export const PublishedDashboardSchema = z.object({
  title: z.string(),
  description: z.string(),
  items: z.array(PublishedItemSchema),
  /** When the data was computed (ISO). */
  builtAt: z.string(),
  /** How viewers recompute cards for their own input values; absent when no card follows an input. */
  interactive: InteractiveSchema.optional()
});
export type PublishedDashboard = z.infer<typeof PublishedDashboardSchema>;

export const VisibilitySchema = z.enum(['public', 'members', 'off']);
export type Visibility = z.infer<typeof VisibilitySchema>;
export const ScheduleSchema = z.enum(['off', 'hourly', 'daily']);
export type Schedule = z.infer<typeof ScheduleSchema>;
