// Turns an outbox row's content into the message for its recipient, when it is sent: an email (the dashboard as
// email-safe HTML with charts as inline PNGs, or a short notice) or a chat webhook's JSON. Dashboards are read from
// their current snapshot; one unpublished since gets nothing (null).
import type { PublishedDashboard } from '../../cells/published';
import type { Queryable } from '../db/types';
import type { NotebookId } from '../ids';
import { chartPng } from './chart-png';
import { currentDashboard } from './current-dashboard';
import type { Content } from './content';
import { LINK_HOURS, verificationToken } from './email-verification';
import { dashboardEmailHtml, dashboardEmailText, readingOrder, type InlineChart } from './email-html';
import type { MailMessage } from './mailer';
import { noticeMail, noticeText } from './notice-mail';
import type { Recipient } from './recipient';
import { unsubscribeToken } from './unsubscribe-token';

/** A mail's HTML and images together stay under this; charts past it are left to the link. */
export const MAIL_MAX_BYTES = 8 * 1024 * 1024;
/** Chat messages carry a short summary: at most this many numbers. */
const WEBHOOK_NUMBERS = 10;

export type ComposeContext = { dataDir: string; origin: string; unsubscribeKey: Uint8Array };

type Board = {
  title: string;
  slug: string | null;
  dashboard: PublishedDashboard | null;
  notebookId: NotebookId;
};

async function board(db: Queryable, dataDir: string, notebookId: NotebookId): Promise<Board | null> {
  const [row] = await db.query<{ title: string }>(
    'select title from notebooks where id = $1 and deleted_at is null',
    [notebookId]
  );
  if (!row) return null;
  const current = await currentDashboard(db, dataDir, notebookId);
  return {
    title: current?.dashboard.title ?? (row.title || 'Untitled notebook'),
    slug: current?.slug ?? null,
    dashboard: current?.dashboard ?? null,
    notebookId
  };
}

export type Composed = { mail: MailMessage } | { webhook: object } | { dropped: string };

export async function compose(
  db: Queryable,
  ctx: ComposeContext,
  notebookId: NotebookId | null,
  content: Content,
  to: Recipient
): Promise<Composed> {
  const b = notebookId ? await board(db, ctx.dataDir, notebookId) : null;
  if (notebookId && !b) return { dropped: 'The notebook was deleted.' };
  const needsDashboard = content.type === 'dashboard' || content.type === 'alert';
  if (needsDashboard && !b?.dashboard) return { dropped: 'The dashboard is no longer published.' };
  const link =
    content.type === 'comment' && b
      ? `${ctx.origin}/n/${b.notebookId}?thread=${encodeURIComponent(content.threadId)}`
      : b?.slug
        ? `${ctx.origin}/d/${b.slug}`
        : b
          ? `${ctx.origin}/n/${b.notebookId}`
          : ctx.origin;
  const unsubscribe = to.subscriptionId
    ? `${ctx.origin}/unsubscribe/${unsubscribeToken(to.subscriptionId, ctx.unsubscribeKey)}`
    : null;
  const title = b?.title ?? 'Sheaf';

  if (to.channel === 'webhook')
    return { webhook: { text: webhookText(title, link, content, b?.dashboard ?? null) } };

  const headers: Record<string, string> = unsubscribe
    ? { 'List-Unsubscribe': `<${unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
    : {};
  if (content.type === 'dashboard') {
    const mail = await dashboardMail(b!.dashboard!, link, unsubscribe);
    return { mail: { to: to.address, headers, ...mail } };
  }
  if (content.type === 'verify-email') {
    const expires = new Date(Date.now() + LINK_HOURS * 3600_000);
    const token = verificationToken(to.userId, to.address, expires, ctx.unsubscribeKey);
    return {
      mail: { to: to.address, ...noticeMail(title, `${ctx.origin}/verify-email/${token}`, content, null) }
    };
  }
  const notice = noticeMail(title, link, content, unsubscribe);
  return { mail: { to: to.address, headers, ...notice } };
}

/** The dashboard mail: HTML, text and inline charts, within MAIL_MAX_BYTES. */
export async function dashboardMail(dashboard: PublishedDashboard, link: string, unsubscribe: string | null) {
  const charts = new Map<string, InlineChart>();
  const attachments: NonNullable<MailMessage['attachments']> = [];
  let bytes = 0;
  for (const item of readingOrder(dashboard.items)) {
    if (item.view !== 'chart' || !item.svg || item.error) continue;
    const drawn = await chartPng(item.svg).catch((e: unknown) => {
      console.error('deliveries: a chart could not be rasterised:', e);
      return null;
    });
    if (!drawn || bytes + drawn.png.length > MAIL_MAX_BYTES / 2) continue;
    bytes += drawn.png.length;
    const cid = `chart-${item.cellId}@sheaf`;
    charts.set(item.cellId, { cid, width: drawn.width, height: drawn.height });
    attachments.push({
      cid,
      filename: `${item.name || 'chart'}.png`,
      content: drawn.png,
      contentType: 'image/png'
    });
  }
  const m = { dashboard, link, unsubscribe, charts };
  let html = dashboardEmailHtml(m);
  // Past the limit (a huge text card), the mail says where to look rather than growing without bound.
  if (html.length + bytes > MAIL_MAX_BYTES)
    html = dashboardEmailHtml({ ...m, dashboard: { ...dashboard, items: [] } });
  return { subject: dashboard.title, html, text: dashboardEmailText(m), attachments };
}

/** A chat message: a line, at most WEBHOOK_NUMBERS numbers, the link; never past 3,500 characters. */
export function webhookText(
  title: string,
  link: string,
  content: Content,
  dashboard: PublishedDashboard | null
): string {
  const numbers = (dashboard ? readingOrder(dashboard.items) : [])
    .flatMap((i) => (i.view === 'number' && !i.error ? [`${i.label}: ${i.value}`] : []))
    .slice(0, WEBHOOK_NUMBERS);
  // Slack's mrkdwn: <url|text> is a link; &, < and > in our own text must be escaped.
  const slack = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const head =
    content.type === 'dashboard'
      ? `*${slack(title)}*${dashboard ? ` — data as of ${dashboard.builtAt.slice(0, 16).replace('T', ' ')} UTC` : ''}`
      : slack(noticeText(title, content));
  const body = content.type === 'dashboard' ? numbers.map((n) => `• ${slack(n)}`) : [];
  return [head, ...body, `<${link}|Open the dashboard>`].join('\n').slice(0, 3500);
}
