// What a subscription request may say: when to deliver ("after each scheduled refresh", or daily/weekly at a
// time in the subscriber's time zone) and, for a channel, its webhook URL. Checked with zod at the boundary.
import { z } from 'zod';
import { TimeZoneSchema } from './local-time';
import { WebhookUrlSchema } from './webhook-url';

const When = z.discriminatedUnion('cadence', [
  z.object({ cadence: z.literal('refresh') }),
  z.object({
    cadence: z.enum(['daily', 'weekly']),
    time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Give the time as HH:MM, e.g. 08:00.'),
    /** 0 Sunday … 6 Saturday; weekly only. */
    weekday: z.coerce.number().int().min(0).max(6).optional(),
    timeZone: TimeZoneSchema
  })
]);

export const EmailSubscriptionSchema = When;
export const WebhookSubscriptionSchema = z.intersection(When, z.object({ url: WebhookUrlSchema }));
export type When = z.infer<typeof When>;

/** The columns a `When` is stored as. */
export function whenColumns(w: When) {
  if (w.cadence === 'refresh')
    return { cadence: w.cadence, minuteOfDay: null, weekday: null, timeZone: null };
  const [h, m] = w.time.split(':').map(Number) as [number, number];
  return {
    cadence: w.cadence,
    minuteOfDay: h * 60 + m,
    weekday: w.cadence === 'weekly' ? (w.weekday ?? 1) : null,
    timeZone: w.timeZone
  };
}
