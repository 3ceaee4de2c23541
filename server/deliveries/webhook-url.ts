// Which webhook URLs a channel subscription may hold. Anyone can sign up and become an editor of their own
// workspace, so a webhook is a way to make this server send requests: only https, unless the host is one the
// operator listed in CONNECTION_ALLOW_HOSTS (as for connections); and at send time the host must not resolve to
// loopback or link-local (host-policy.ts), the address then pinned for the request.
import { z } from 'zod';
import { loadConfig } from '../config';

/** Longer URLs are not webhooks anyone was given. */
export const WEBHOOK_URL_MAX = 2000;

/** Whether CONNECTION_ALLOW_HOSTS names this host (or is `*`): such hosts may be reached over plain http. */
export function allowedHost(hostname: string, allow: string[] = loadConfig().connectionAllowHosts): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return allow.includes('*') || allow.includes(h);
}

/** The check, with the allow list the sender was given (`allow`), else CONNECTION_ALLOW_HOSTS. */
export const webhookUrlSchema = (allow?: string[]) =>
  z
    .string()
    .trim()
    .max(WEBHOOK_URL_MAX, `A webhook URL has at most ${WEBHOOK_URL_MAX} characters.`)
    .superRefine((text, ctx) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'Enter the webhook’s full URL, starting with https://.' });
        return;
      }
      if (url.username || url.password) {
        ctx.addIssue({ code: 'custom', message: 'A webhook URL may not hold a user name or password.' });
        return;
      }
      if (url.protocol === 'https:') return;
      if (url.protocol === 'http:' && allowedHost(url.hostname, allow)) return;
      ctx.addIssue({
        code: 'custom',
        message:
          url.protocol === 'http:'
            ? 'Webhooks must use https:// (an administrator can allow a host with CONNECTION_ALLOW_HOSTS).'
            : 'Webhooks must be https:// URLs.'
      });
    });

export const WebhookUrlSchema = webhookUrlSchema();

/** What the delivery log shows of a webhook: its host, never its path (the path is the secret). */
export const webhookHost = (url: string) => new URL(url).host;
