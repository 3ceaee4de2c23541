// A stand-in for the model, not for our code: a local HTTP server speaking Gemini's REST API (generateContent and
// streamGenerateContent with server-sent events, as @google/genai calls them). Tests script its answers and read
// back the requests it received; the real client, context building, validation and streaming all run.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ScriptedAnswer = {
  /** The answer's text, in the pieces it streams in (one piece for generateContent). */
  chunks: string[];
  /** Pause between pieces, to make streaming visible. */
  delayMs?: number;
  /** An HTTP error instead of an answer. */
  status?: number;
};

export type ReceivedRequest = {
  model: string;
  method: 'generateContent' | 'streamGenerateContent';
  apiKey: string | undefined;
  body: {
    contents?: { parts?: { text?: string }[] }[];
    systemInstruction?: unknown;
    generationConfig?: unknown;
  };
  /** All the text the model was sent (system instruction and contents). */
  text: string;
};

export type ScriptedGemini = {
  url: string;
  port: number;
  script(...answers: ScriptedAnswer[]): void;
  requests: ReceivedRequest[];
  reset(): void;
  close(): Promise<void>;
};

const ROUTE = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const p of req) parts.push(p as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8') || '{}');
}

const chunkBody = (text: string, last: boolean) => ({
  candidates: [
    { content: { role: 'model', parts: [{ text }] }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) }
  ],
  usageMetadata: { promptTokenCount: 1200, candidatesTokenCount: 40, totalTokenCount: 1240 },
  modelVersion: 'scripted'
});

const allText = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : Array.isArray(v)
      ? v.map(allText).join('\n')
      : v && typeof v === 'object'
        ? Object.values(v).map(allText).join('\n')
        : '';

export async function startScriptedGemini(port = 0): Promise<ScriptedGemini> {
  const queue: ScriptedAnswer[] = [];
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      // Control endpoints for tests running in another process (the e2e suite).
      if (url.pathname === '/__script' && req.method === 'POST') {
        queue.push(...((await readJson(req)) as ScriptedAnswer[]));
        return void res.writeHead(204).end();
      }
      if (url.pathname === '/__requests') {
        if (req.method === 'DELETE') {
          requests.length = 0;
          queue.length = 0;
          return void res.writeHead(204).end();
        }
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(requests));
      }
      const m = ROUTE.exec(url.pathname);
      if (!m || req.method !== 'POST') return void res.writeHead(404).end();
      const body = (await readJson(req)) as ReceivedRequest['body'];
      const method = m[2] as ReceivedRequest['method'];
      requests.push({
        model: decodeURIComponent(m[1]!),
        method,
        apiKey: req.headers['x-goog-api-key'] as string | undefined,
        body,
        text: allText([body.systemInstruction, body.contents])
      });
      const answer = queue.shift();
      if (!answer || answer.status) {
        const status = answer?.status ?? 500;
        return void res.writeHead(status, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: {
              code: status,
              message: answer ? 'scripted failure' : 'nothing scripted',
              status: 'INTERNAL'
            }
          })
        );
      }
      if (method === 'generateContent') {
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(chunkBody(answer.chunks.join(''), true)));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const [i, text] of answer.chunks.entries()) {
        if (i > 0 && answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
        res.write(`data: ${JSON.stringify(chunkBody(text, i === answer.chunks.length - 1))}\r\n\r\n`);
      }
      res.end();
    })().catch(() => res.destroy());
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    script: (...answers) => queue.push(...answers),
    requests,
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: () => new Promise<void>((r) => server.close(() => r()))
  };
}

/** Splits an answer's JSON text into `n` pieces, as a model streams it. */
export function pieces(answer: unknown, n = 6): string[] {
  const text = JSON.stringify(answer, null, 1);
  const size = Math.ceil(text.length / n);
  return Array.from({ length: Math.ceil(text.length / size) }, (_, i) =>
    text.slice(i * size, (i + 1) * size)
  );
}
