// What an outbox row asks to send, stored as JSON and checked when read back. Messages are composed when they are
// sent, from this and the dashboard as it is then (compose.ts), so a retry an hour later shows current data.
import { z } from 'zod';

export const ContentSchema = z.discriminatedUnion('type', [
  /** The dashboard itself: after a refresh, or a daily/weekly delivery. */
  z.object({ type: z.literal('dashboard') }),
  /** An alert crossed (or recovered): what it watches, in words, and the values seen. */
  z.object({
    type: z.literal('alert'),
    alertId: z.string(),
    crossed: z.boolean(),
    rule: z.string().max(500),
    value: z.number(),
    previous: z.number().nullable()
  }),
  /** A scheduled refresh failed (the editors are told once a day at most) or works again. */
  z.object({ type: z.literal('refresh-failed'), message: z.string().max(2000) }),
  z.object({ type: z.literal('refresh-recovered') }),
  /** Someone mentioned the recipient in a comment, or replied in a thread they wrote in. */
  z.object({
    type: z.literal('comment'),
    reason: z.enum(['mention', 'reply']),
    author: z.string().max(200),
    excerpt: z.string().max(1000),
    threadId: z.string()
  }),
  /** A link that proves the recipient reads their address (email-verification.ts). */
  z.object({ type: z.literal('verify-email') })
]);
export type Content = z.infer<typeof ContentSchema>;

/** How the log names each kind of message. */
export function describeContent(c: Content): string {
  switch (c.type) {
    case 'dashboard':
      return 'dashboard';
    case 'alert':
      return c.crossed ? 'alert' : 'alert recovered';
    case 'refresh-failed':
      return 'refresh failed';
    case 'refresh-recovered':
      return 'refresh recovered';
    case 'comment':
      return c.reason;
    case 'verify-email':
      return 'email verification';
  }
}
