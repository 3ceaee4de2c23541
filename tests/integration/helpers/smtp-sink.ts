// A real SMTP server on a free loopback port (the smtp-server package) that keeps every message it is given, for
// tests of outgoing mail. It can be stopped and started again on the same port (the mail server "going down").
import { SMTPServer } from 'smtp-server';
import { freePort } from './free-port';
import { parseMime, type MimePart } from './mime';

export type Received = { from: string; to: string[]; raw: string; mail: MimePart };

export type SmtpSink = {
  url: string;
  port: number;
  received: Received[];
  /** Resolves once `n` messages in all have arrived. */
  waitFor: (n: number, ms?: number) => Promise<Received[]>;
  stop: () => Promise<void>;
  start: () => Promise<void>;
};

/** On `port` when given (a server told of it while nothing listened there), else a free one. */
export async function smtpSink(port?: number): Promise<SmtpSink> {
  port ??= await freePort();
  const received: Received[] = [];
  let server: SMTPServer | null = null;
  const start = () =>
    new Promise<void>((resolve, reject) => {
      server = new SMTPServer({
        secure: false,
        authOptional: true,
        disabledCommands: ['STARTTLS', 'AUTH'],
        logger: false,
        onData(stream, session, done) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks).toString('latin1');
            received.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw,
              mail: parseMime(raw)
            });
            done();
          });
        }
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await start();
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    async waitFor(n, ms = 30_000) {
      const until = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} messages, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    stop: () => new Promise<void>((r) => (server ? server.close(() => r()) : r())),
    start
  };
}
