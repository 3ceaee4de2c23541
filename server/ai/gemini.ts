// The model behind the assistant: Gemini through @google/genai, pointed at GEMINI_BASE_URL when set (a proxy, or
// the test suite's scripted server). Answers are JSON constrained by a schema; errors become messages people read.
import { ApiError, GoogleGenAI } from '@google/genai';
import { AppError } from '../errors';

export type ModelSettings = { apiKey: string; model: string; baseUrl: string | undefined };
export type Usage = { promptTokens: number | null; outputTokens: number | null };
export type ModelCall = {
  system: string;
  user: string;
  schema: unknown;
  signal: AbortSignal;
  timeoutMs: number;
};

/** Gives up after this long, with a message. */
export const MODEL_TIMEOUT_MS = 30_000;

export class GeminiModel {
  private readonly ai: GoogleGenAI;
  usage: Usage = { promptTokens: null, outputTokens: null };

  constructor(private readonly settings: ModelSettings) {
    this.ai = new GoogleGenAI({
      apiKey: settings.apiKey,
      httpOptions: settings.baseUrl ? { baseUrl: settings.baseUrl } : undefined
    });
  }

  private request(call: ModelCall) {
    return {
      model: this.settings.model,
      contents: [{ role: 'user', parts: [{ text: call.user }] }],
      config: {
        systemInstruction: call.system,
        responseMimeType: 'application/json',
        responseJsonSchema: call.schema,
        temperature: 0.2,
        abortSignal: call.signal
      }
    };
  }

  private noteUsage(
    meta:
      { promptTokenCount?: number; candidatesTokenCount?: number; thoughtsTokenCount?: number } | undefined
  ) {
    if (!meta) return;
    // Thinking models bill their thoughts as output too.
    const output =
      meta.candidatesTokenCount !== undefined || meta.thoughtsTokenCount !== undefined
        ? (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0)
        : null;
    this.usage = {
      promptTokens: meta.promptTokenCount ?? this.usage.promptTokens,
      outputTokens: output ?? this.usage.outputTokens
    };
  }

  /** The answer's text as it is generated. */
  async *stream(call: ModelCall): AsyncGenerator<string> {
    try {
      const chunks = await this.ai.models.generateContentStream(this.request(call));
      for await (const chunk of chunks) {
        this.noteUsage(chunk.usageMetadata);
        const text = chunk.text;
        if (text) yield text;
      }
    } catch (e) {
      throw readable(e, call);
    }
  }

  async generate(call: ModelCall): Promise<string> {
    try {
      const res = await this.ai.models.generateContent(this.request(call));
      this.noteUsage(res.usageMetadata);
      return res.text ?? '';
    } catch (e) {
      throw readable(e, call);
    }
  }
}

function readable(e: unknown, call: ModelCall): AppError {
  if (call.signal.aborted)
    return new AppError(
      'unavailable',
      `The assistant took longer than ${Math.round(call.timeoutMs / 1000)} s and was stopped. Try again, or ask for less.`
    );
  if (e instanceof ApiError) {
    if (e.status === 401 || e.status === 403)
      return new AppError('unavailable', 'The AI service refused the API key (check GEMINI_API_KEY).');
    if (e.status === 429)
      return new AppError('unavailable', 'The AI service is busy right now; try again in a minute.');
    return new AppError('unavailable', `The AI service failed (HTTP ${e.status}). Try again.`);
  }
  return new AppError('unavailable', `Could not reach the AI service: ${(e as Error).message ?? String(e)}`);
}
