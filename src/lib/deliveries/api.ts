// The browser's client for a dashboard's deliveries (server/deliveries/panel.ts): answers checked with zod, errors
// as the server's readable message.
import { z } from 'zod';

const Subscription = z.object({
  id: z.string(),
  channel: z.enum(['email', 'webhook']),
  who: z.string(),
  cadence: z.enum(['refresh', 'daily', 'weekly', 'alert']),
  minuteOfDay: z.number().nullable(),
  weekday: z.number().nullable(),
  timeZone: z.string().nullable(),
  mine: z.boolean()
});
const Alert = z.object({
  id: z.string(),
  description: z.string(),
  crossed: z.boolean(),
  mine: z.boolean(),
  subscribed: z.boolean(),
  channels: z.array(z.string())
});
/** A result alerts may watch, with the numeric columns the dashboard shows of it (server/deliveries/panel.ts). */
const AlertTarget = z.object({
  cell: z.string(),
  views: z.array(z.enum(['number', 'table'])),
  columns: z.array(z.string())
});
const LogEntry = z.object({
  at: z.string(),
  outcome: z.enum(['sent', 'retried', 'failed', 'dropped']),
  recipient: z.string(),
  what: z.string(),
  reason: z.string().nullable()
});
export const PanelSchema = z.object({
  mailConfigured: z.boolean(),
  emailVerified: z.boolean(),
  canEdit: z.boolean(),
  subscriptions: z.array(Subscription),
  alerts: z.array(Alert),
  alertTargets: z.array(AlertTarget),
  log: z.array(LogEntry).nullable()
});
export type Panel = z.infer<typeof PanelSchema>;
export type SubscriptionView = z.infer<typeof Subscription>;
export type AlertTarget = z.infer<typeof AlertTarget>;

export async function call(url: string, init?: RequestInit): Promise<unknown> {
  const res = await fetch(url, init);
  if (res.status === 204) return null;
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message;
    throw new Error(message ?? `The server answered ${res.status}.`);
  }
  return body;
}

export const deliveriesApi = (notebookId: string) => {
  const base = `/api/notebooks/${encodeURIComponent(notebookId)}/deliveries`;
  const post = (url: string, body?: object) =>
    call(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined
    });
  return {
    load: async () => PanelSchema.parse(await call(base)),
    subscribe: (body: object) => post(`${base}/subscriptions`, body),
    unsubscribe: (id: string) =>
      call(`${base}/subscriptions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    addAlert: (body: object) => post(`${base}/alerts`, body),
    removeAlert: (id: string) => call(`${base}/alerts/${encodeURIComponent(id)}`, { method: 'DELETE' })
  };
};

/** "daily at 08:00 (Europe/Paris)" and the like. */
export function whenText(s: SubscriptionView): string {
  if (s.cadence === 'refresh') return 'after each scheduled refresh';
  if (s.cadence === 'alert') return 'alert notices';
  const m = s.minuteOfDay ?? 0;
  const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  const day = s.cadence === 'weekly' ? `${DAYS[s.weekday ?? 1]}s` : 'daily';
  return `${day} at ${time} (${s.timeZone})`;
}

export const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
