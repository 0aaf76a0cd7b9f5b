// Cohere's v2 wire format: usage {billed_units, tokens} in the answer and in the stream's
// message-end event; embed answers report meta.billed_units.
import { formatSse } from '../../upstream/sse.ts';
import type { StreamEvent } from '../../upstream/sse.ts';
import { SSE_STREAM } from '../shared/sse-stream.ts';
import { count, isObject, tryParse, type Json, type JsonObject, type StreamObserver, type Usage, type WireFormat } from '../types.ts';

/** Cohere usage -> normalized: the billed units (what is charged), else the raw token counts. */
export function cohereUsage(u: Json | undefined): Usage | undefined {
  if (!isObject(u)) return undefined;
  const units = isObject(u.billed_units) ? u.billed_units : isObject(u.tokens) ? u.tokens : u;
  if (units.input_tokens === undefined && units.output_tokens === undefined) return undefined;
  return { input_tokens: count(units.input_tokens), cached_input_tokens: count(u.cached_tokens), cache_write_tokens: 0, output_tokens: count(units.output_tokens), reasoning_tokens: 0 };
}

/** Usage of a whole answer: chat (usage) or v1 chat / embed (meta). */
export function cohereUsageOf(json: Json | undefined): Usage | undefined {
  if (!isObject(json)) return undefined;
  return cohereUsage(json.usage) ?? cohereUsage(json.meta);
}

class CohereObserver implements StreamObserver {
  private last: Usage | undefined;
  private done = false;
  onEvent(ev: StreamEvent): void {
    if (ev.event !== 'message-end' && !ev.data.includes('"message-end"')) return;
    const json = tryParse(ev.data);
    if (!isObject(json) || json.type !== 'message-end') return;
    this.done = true;
    const d = isObject(json.delta) ? json.delta : {};
    this.last = cohereUsage(d.usage) ?? this.last;
  }
  usage(): Usage | undefined {
    return this.last;
  }
  completed(): boolean {
    return this.done;
  }
}

const errorBody = (code: string, message: string): JsonObject => ({ message: `${code}: ${message}` });

export const cohereFormat: WireFormat = {
  stream: SSE_STREAM,
  usageFromJson: cohereUsageOf,
  observeStream: () => new CohereObserver(),
  errorBody,
  // Cohere ends a failed stream with message-end carrying finish_reason ERROR and the error text.
  streamErrorEvent: (code, message) => formatSse(JSON.stringify({ type: 'message-end', delta: { finish_reason: 'ERROR', error: `${code}: ${message}` } }), 'message-end'),
};
