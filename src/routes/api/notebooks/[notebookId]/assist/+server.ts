// Ask the assistant for cells (editors): the answer streams back as NDJSON events, one cell per line as the model
// writes it, then "done" with its explanation (or "error"). Refusals before the model is called are JSON errors.
import { AssistRequestSchema, assist } from '$server/ai/assist';
import { reserveRequest } from '$server/ai/requests';
import { loadConfig } from '$server/config';
import { getDb } from '$server/db/instance';
import { AppError, invalid } from '$server/errors';
import { notebookIdParam } from '$server/ids';
import { jsonBody } from '$server/http/json-body';
import { apiError } from '$server/http/respond';
import { takeVersion } from '$server/versions/versions';

export async function POST({ locals, params, request }) {
  try {
    if (!locals.user) throw new AppError('unauthorized', 'Log in to use the assistant.');
    const body = AssistRequestSchema.safeParse(await jsonBody(request));
    if (!body.success) throw invalid(body.error.issues[0]?.message ?? 'Invalid request.');
    const db = await getDb();
    const config = loadConfig();
    const userId = locals.user.id;
    const notebookId = notebookIdParam(params.notebookId);
    const req = await reserveRequest(db, config.ai, { userId, notebookId, kind: 'generate' });
    // Before the answer comes back: the browser deletes the last answer's cells only once this has answered, so
    // the version holds them. Only after the reservation (role and rate limits checked); a failure here must not
    // stop the assistant.
    if (body.data.regenerate)
      await takeVersion(db, notebookId, 'assistant', userId, 'Before the assistant regenerated').catch(
        (e: unknown) => console.error('assistant: could not save a version before regenerating:', e)
      );
    const events = assist(db, config, req, {
      prompt: body.data.prompt,
      cellId: body.data.cellId,
      signal: request.signal
    });
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await events.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
      },
      async cancel() {
        await events.return(undefined);
      }
    });
    return new Response(stream, {
      headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' }
    });
  } catch (e) {
    return apiError(e);
  }
}
