// Gemini's wire format (Google AI Studio and Vertex AI): usageMetadata on every answer and stream
// chunk (the last one final), finishReason as the end marker, the google.rpc error shape.
import { formatSse } from '../../upstream/sse.ts';
import type { StreamEvent } from '../../upstream/sse.ts';
import { SSE_STREAM } from '../shared/sse-stream.ts';
import { count, isObject, tryParse, type Json, type JsonObject, type StreamObserver, type Usage, type WireFormat } from '../types.ts';

/**
 * usageMetadata -> normalized. promptTokenCount includes cachedContentTokenCount; tool-use prompt
 * tokens are input too; candidatesTokenCount excludes thoughtsTokenCount, which is billed as output.
 */
export function geminiUsage(m: Json | undefined): Usage | undefined {
  if (!isObject(m)) return undefined;
  const prompt = count(m.promptTokenCount) + count(m.toolUsePromptTokenCount);
  const cached = Math.min(prompt, count(m.cachedContentTokenCount));
  const thoughts = count(m.thoughtsTokenCount);
  return { input_tokens: prompt - cached, cached_input_tokens: cached, cache_write_tokens: 0, output_tokens: count(m.candidatesTokenCount) + thoughts, reasoning_tokens: thoughts };
}

/** The finishReason of a response's first candidate, if any. */
export function finishReasonOf(json: Json | undefined): string | undefined {
  if (!isObject(json) || !Array.isArray(json.candidates)) return undefined;
  const c = json.candidates[0];
  return isObject(c) && typeof c.finishReason === 'string' ? c.finishReason : undefined;
}

class GeminiStreamObserver implements StreamObserver {
  private last: Usage | undefined;
  private done = false;
  onEvent(ev: StreamEvent): void {
    if (!ev.data.includes('"usageMetadata"') && !ev.data.includes('"finishReason"')) return;
    const json = tryParse(ev.data);
    if (!isObject(json)) return;
    const u = geminiUsage(json.usageMetadata);
    if (u) this.last = u;
    if (finishReasonOf(json)) this.done = true;
  }
  usage(): Usage | undefined {
    return this.last;
  }
  completed(): boolean {
    return this.done;
  }
}

export function geminiErrorBody(code: string, message: string): JsonObject {
  return { error: { code: 500, message, status: code } };
}

export const geminiFormat: WireFormat = {
  stream: SSE_STREAM,
  usageFromJson: (json) => (isObject(json) ? geminiUsage(json.usageMetadata) : undefined),
  observeStream: () => new GeminiStreamObserver(),
  errorBody: geminiErrorBody,
  // Gemini reports a failure inside a stream as a data event carrying the error object.
  streamErrorEvent: (code, message) => formatSse(JSON.stringify(geminiErrorBody(code, message))),
};
