// An alert's rule and when it holds: "when <column> <op> <value>", or "changes by more than N% since the last
// refresh". Pure, so the crossing logic is tested on its own.
import { z } from 'zod';

export const OPS = ['>', '>=', '<', '<=', '=', '<>'] as const;
export type Op = (typeof OPS)[number];

const Name = z.string().trim().min(1, 'Name the column.').max(200);

/**
 * A number as the form sends it (text, maybe grouped like the dashboard shows it: 1,234.5) or as JSON. Coercing
 * alone would read an empty field as 0 and `true` as 1, and set an alert nobody asked for.
 */
const NumberText = (message: string) =>
  z.preprocess(
    (v) =>
      typeof v === 'string' && v.trim() !== ''
        ? Number(v.trim().replace(/^([-+]?\d{1,3}(,\d{3})+)(\.\d+)?$/, (m) => m.replace(/,/g, '')))
        : v,
    z.number({ error: message }).finite(message)
  );

export const AlertInputSchema = z.discriminatedUnion('rule', [
  z.object({
    rule: z.literal('threshold'),
    cell: Name,
    column: Name,
    op: z.enum(OPS),
    value: NumberText('Give a number to compare with.')
  }),
  z.object({
    rule: z.literal('change'),
    cell: Name,
    column: Name,
    percent: NumberText('Give a percentage above 0.').pipe(
      z.number().positive('Give a percentage above 0.').max(1_000_000)
    )
  })
]);
export type AlertInput = z.infer<typeof AlertInputSchema>;

export type AlertRule =
  | { rule: 'threshold'; column: string; op: Op; value: number }
  | { rule: 'change'; column: string; percent: number };

export function holds(r: AlertRule, value: number, previous: number | null): boolean {
  if (r.rule === 'change') {
    if (previous === null) return false;
    if (previous === 0) return value !== 0;
    return (Math.abs(value - previous) / Math.abs(previous)) * 100 > r.percent;
  }
  switch (r.op) {
    case '>':
      return value > r.value;
    case '>=':
      return value >= r.value;
    case '<':
      return value < r.value;
    case '<=':
      return value <= r.value;
    case '=':
      return value === r.value;
    case '<>':
      return value !== r.value;
  }
}

export const describeRule = (r: AlertRule, cell: string) =>
  r.rule === 'threshold'
    ? `${cell}.${r.column} ${r.op} ${r.value}`
    : `${cell}.${r.column} changed by more than ${r.percent}% since the last refresh`;
