// Posting a message to a chat webhook: JSON in the shape Slack's incoming webhooks take (`{ text }`; Mattermost,
// Rocket.Chat and Teams workflows read it too). The host is checked when sending (host-policy.ts: no loopback or
// link-local unless allowed) and the request goes to the address that was checked, so a DNS answer changing in
// between cannot redirect it. One deadline for the whole attempt; redirects are not followed; the answer's body is
// read only to quote the start of an error.
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { withDeadline } from '../connectors/deadline';
import { checkHost } from '../connectors/host-policy';
import { webhookUrlSchema } from './webhook-url';

export const WEBHOOK_DEADLINE_S = 15;
/** Slack refuses messages past about 40,000 characters; we stop well before. */
export const WEBHOOK_MAX_BYTES = 32 * 1024;

export class SendFailed extends Error {
  /** False when trying again cannot help (the webhook refused it as malformed, or it is not allowed). */
  readonly retry: boolean;
  constructor(message: string, retry: boolean) {
    super(message);
    this.retry = retry;
  }
}

export async function postWebhook(urlText: string, body: object, allow?: string[]): Promise<void> {
  // Checked again when sending, with the same allow list as the host: the operator's list may have changed.
  const parsed = webhookUrlSchema(allow).safeParse(urlText);
  if (!parsed.success) throw new SendFailed(parsed.error.issues[0]!.message, false);
  const url = new URL(parsed.data);
  const payload = Buffer.from(JSON.stringify(body));
  if (payload.length > WEBHOOK_MAX_BYTES)
    throw new SendFailed('The message is too large for a webhook.', false);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let address: string | null;
  try {
    address = await checkHost(host, allow);
  } catch (e) {
    const refused = (e as { problem?: string }).problem === 'refused';
    throw new SendFailed(e instanceof Error ? e.message : String(e), !refused);
  }
  const lookup: LookupFunction | undefined = address
    ? (_name, opts, cb) => {
        const family = address!.includes(':') ? 6 : 4;
        if ((opts as { all?: boolean }).all)
          (cb as never as (e: null, a: object[]) => void)(null, [{ address, family }]);
        else cb(null, address!, family);
      }
    : undefined;
  await withDeadline(WEBHOOK_DEADLINE_S, undefined, (d) =>
    d.race(
      new Promise<void>((resolve, reject) => {
        const options: RequestOptions = {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
          signal: d.signal,
          ...(lookup ? { lookup } : {})
        };
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = send(url, options, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            if (text.length < 500) text += c;
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve();
            const why = `The webhook answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
            // 4xx other than 408/429: the webhook was removed or refuses the message; trying again will not help.
            reject(new SendFailed(why, status >= 500 || status === 408 || status === 429));
          });
          res.on('error', reject);
        });
        req.on('error', (e) => reject(new SendFailed(`Could not reach the webhook: ${e.message}`, true)));
        req.end(payload);
      })
    )
  ).catch((e: unknown) => {
    if (e instanceof SendFailed) throw e;
    throw new SendFailed(`Could not reach the webhook: ${e instanceof Error ? e.message : String(e)}`, true);
  });
}
