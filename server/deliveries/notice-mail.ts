// Short notices by mail and chat: an alert crossing or recovering, a scheduled refresh failing or working again,
// a mention or reply in a comment, a link that verifies an address. Plain words, one link.
import type { Content } from './content';
import { esc } from './email-html';
import { LINK_HOURS } from './email-verification';

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 4 });

/** One line saying what happened, for chat and the mail's subject. */
export function noticeText(title: string, c: Content): string {
  switch (c.type) {
    case 'alert':
      return c.crossed
        ? `Alert on ${title}: ${c.rule} (now ${fmt(c.value)}${c.previous === null ? '' : `, was ${fmt(c.previous)}`})`
        : `Back to normal on ${title}: ${c.rule} no longer holds (now ${fmt(c.value)})`;
    case 'refresh-failed':
      return `The scheduled refresh of ${title} failed: ${c.message}`;
    case 'refresh-recovered':
      return `The scheduled refresh of ${title} works again.`;
    case 'comment':
      return c.reason === 'mention'
        ? `${c.author} mentioned you in ${title}`
        : `${c.author} replied in a thread on ${title}`;
    case 'dashboard':
      return title;
    case 'verify-email':
      return 'Verify your email address for Sheaf';
  }
}

const VERIFY_DETAIL =
  `Open the link within ${LINK_HOURS} hours to receive subscriptions and mentions by mail. ` +
  'If you did not sign up for Sheaf, ignore this mail: nothing else will be sent to you.';

export function noticeMail(
  title: string,
  link: string,
  c: Content,
  unsubscribe: string | null
): { subject: string; html: string; text: string } {
  const line = noticeText(title, c);
  const quote = c.type === 'comment' ? c.excerpt : '';
  const detail = c.type === 'verify-email' ? VERIFY_DETAIL : '';
  const action = c.type === 'verify-email' ? 'Verify this address' : 'Open it in Sheaf';
  const subject = line.length > 150 ? `${line.slice(0, 149)}…` : line;
  const html = `<!doctype html><html><body style="margin:0;padding:16px;background:#f6f8fa">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="font-family:Helvetica,Arial,sans-serif;color:#1f2328;background:#ffffff;border:1px solid #d0d7de;max-width:100%">
<tr><td style="padding:20px;font-size:15px;line-height:1.5">${esc(line)}
${quote ? `<blockquote style="margin:12px 0;padding-left:12px;border-left:3px solid #d0d7de;color:#656d76">${esc(quote)}</blockquote>` : ''}
${detail ? `<p>${esc(detail)}</p>` : ''}
<p><a href="${esc(link)}" style="color:#0969da">${action}</a></p>
${unsubscribe ? `<p style="color:#656d76;font-size:13px"><a href="${esc(unsubscribe)}" style="color:#656d76">Unsubscribe</a></p>` : ''}
</td></tr></table></body></html>`;
  const text = [
    line,
    quote ? `\n> ${quote}` : '',
    detail ? `\n${detail}` : '',
    '',
    link,
    unsubscribe ? `Unsubscribe: ${unsubscribe}` : ''
  ]
    .filter((l, i) => l || i === 3)
    .join('\n');
  return { subject, html, text };
}
