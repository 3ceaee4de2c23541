// Sending one email over SMTP (nodemailer) to the server in SMTP_URL, from MAIL_FROM. Without both, mail is not
// configured: every feature that mails says so (mailNotConfigured) instead of queueing what can never leave.
// One overall deadline per attempt, on top of nodemailer's per-phase timeouts; a connection per message (the
// outbox sends a handful at a time, and a pooled connection would outlive a shutdown).
import nodemailer from 'nodemailer';
import { loadConfig, type ServerConfig } from '../config';
import { withDeadline } from '../connectors/deadline';
import { AppError } from '../errors';
import { SendFailed } from './webhook-post';

export const MAIL_DEADLINE_S = 60;

export type MailMessage = {
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments?: { cid: string; filename: string; content: Buffer; contentType: string }[];
  headers?: Record<string, string>;
};

export const mailNotConfigured = () =>
  new AppError(
    'unavailable',
    'Mail is not configured on this server: an administrator must set SMTP_URL and MAIL_FROM.'
  );

export function mailConfig(config: ServerConfig = loadConfig()): { smtpUrl: string; from: string } {
  if (!config.mail) throw mailNotConfigured();
  return config.mail;
}

export async function sendMail(message: MailMessage, config?: ServerConfig): Promise<void> {
  let mail: { smtpUrl: string; from: string };
  try {
    mail = mailConfig(config);
  } catch (e) {
    // Someone switched mail off with messages waiting: they wait (and are logged) until it is back.
    throw new SendFailed((e as Error).message, true);
  }
  const transport = nodemailer.createTransport({
    url: mail.smtpUrl,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000
  } as never);
  try {
    await withDeadline(MAIL_DEADLINE_S, undefined, (d) =>
      d.race(transport.sendMail({ from: mail.from, ...message }))
    );
  } catch (e) {
    const code = (e as { responseCode?: number }).responseCode;
    const why = e instanceof Error ? e.message : String(e);
    // 5xx: the server refused this message or address for good; anything else (down, 4xx, timeout) may pass later.
    throw new SendFailed(`The mail server did not take it: ${why}`, !(code && code >= 500));
  } finally {
    transport.close();
  }
}
