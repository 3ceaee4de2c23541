// A mail server for the e2e suite (Playwright starts it beside the app, as it does tests/gemini): the smtp-server
// package on SMTP_SINK_PORT keeps what the app sends (tests/integration/helpers/smtp-sink.ts), and a small HTTP
// server on SMTP_SINK_HTTP_PORT lets specs read it: GET /messages → [{ from, to, raw }], oldest first.
import { createServer } from 'node:http';
import { smtpSink } from '../integration/helpers/smtp-sink';

const sink = await smtpSink(Number(process.env.SMTP_SINK_PORT));
const http = createServer((req, res) => {
  if (req.method !== 'GET' || req.url !== '/messages') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(sink.received.map(({ from, to, raw }) => ({ from, to, raw }))));
});
const httpPort = Number(process.env.SMTP_SINK_HTTP_PORT);
await new Promise<void>((resolve) => http.listen(httpPort, '127.0.0.1', resolve));
console.log(`SMTP sink on ${sink.url}, its messages on http://127.0.0.1:${httpPort}/messages`);
