// The browser's side of the assistant: whether it is configured, a streamed request (NDJSON events, each checked),
// and a fix for a failing query.
import { AssistEventSchema, type AssistEvent } from '$cells/prompt/answer';
import { errorMessage } from '$lib/api-error';

let status: Promise<{ configured: boolean; message: string }> | null = null;

/** Asked once per page: the answer does not change while the server runs. */
export function aiStatus(): Promise<{ configured: boolean; message: string }> {
  status ??= fetch('/api/ai')
    .then(async (r) =>
      r.ok
        ? ((await r.json()) as { configured: boolean; message: string })
        : { configured: false, message: await errorMessage(r, 'The assistant is unavailable') }
    )
    .catch(() => ({
      configured: false,
      message: 'The assistant is unavailable (the server did not answer).'
    }));
  return status;
}

/**
 * Asks the assistant; resolves once the server has accepted the request (with `regenerate`, after it has kept a
 * version of the notebook from before), to the answer's events as they stream in.
 */
export async function openAssistant(
  notebookId: string,
  body: { prompt: string; cellId: string; regenerate: boolean },
  signal?: AbortSignal
): Promise<AsyncGenerator<AssistEvent>> {
  const res = await fetch(`/api/notebooks/${notebookId}/assist`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal
  });
  if (!res.ok || !res.body) throw new Error(await errorMessage(res, 'The assistant could not answer'));
  return answerEvents(res.body.pipeThrough(new TextDecoderStream()));
}

async function* answerEvents(text: ReadableStream<string>): AsyncGenerator<AssistEvent> {
  const reader = text.getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      const parsed = AssistEventSchema.safeParse(JSON.parse(line));
      yield parsed.success
        ? parsed.data
        : { type: 'error', message: 'The server sent something unexpected.' };
    }
    if (done) return;
  }
}

export async function fixWithAi(
  notebookId: string,
  body: { sql: string; error: string; engine: string; cellId: string }
): Promise<{ sql: string; explanation: string }> {
  const res = await fetch(`/api/notebooks/${notebookId}/fix`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // Long error messages (a stack of context) only need their start.
    body: JSON.stringify({ ...body, error: body.error.slice(0, 4000) })
  });
  if (!res.ok) throw new Error(await errorMessage(res, 'The assistant could not fix the query'));
  return (await res.json()) as { sql: string; explanation: string };
}
