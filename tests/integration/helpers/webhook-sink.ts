// A local HTTP server that records the JSON posted to it, as a chat's incoming webhook would receive it. `status`
// sets what it answers (to make it fail).
import { createServer } from 'node:http';
import { freePort } from './free-port';

export type WebhookSink = {
  url: string;
  posts: { path: string; contentType: string; body: unknown }[];
  status: { code: number };
  stop: () => Promise<void>;
};

export async function webhookSink(): Promise<WebhookSink> {
  const port = await freePort();
  const posts: WebhookSink['posts'] = [];
  const status = { code: 200 };
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (text += c));
    req.on('end', () => {
      posts.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: JSON.parse(text)
      });
      res.writeHead(status.code, { 'content-type': 'text/plain' });
      res.end(status.code === 200 ? 'ok' : 'no_service');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/secret`,
    posts,
    status,
    stop: () => new Promise<void>((r) => server.close(() => r()))
  };
}
