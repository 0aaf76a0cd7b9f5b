// Anthropic Messages wire format: usage from message_start + message_delta, message_stop as the end
// marker, the {"type":"error"} error shape (also as a stream event).
import { formatSse } from '../../upstream/sse.ts';
import type { StreamEvent } from '../../upstream/sse.ts';
import { SSE_STREAM } from '../shared/sse-stream.ts';
import { isObject, tryParse, type Json, type JsonObject, type StreamObserver, type Usage, type WireFormat } from '../types.ts';
import { anthropicUsage } from './usage.ts';

/** Folds Anthropic stream events into the usage so far (shared by the observer and the chat codec). */
export class AnthropicUsageTracker {
  current: Usage | undefined;
  /** Feed one parsed event; returns true when it was message_stop. */
  feed(json: Json | undefined): boolean {
    if (!isObject(json)) return false;
    if (json.type === 'message_start' && isObject(json.message)) {
      this.current = anthropicUsage(json.message.usage);
    } else if (json.type === 'message_delta' && isObject(json.usage)) {
      const delta = anthropicUsage(json.usage);
      if (!delta) return false;
      const base = this.current ?? delta;
      const u = json.usage;
      // output_tokens is cumulative; newer API versions repeat the input side here too.
      this.current = {
        ...base,
        output_tokens: delta.output_tokens,
        input_tokens: u.input_tokens !== undefined && u.input_tokens !== null ? delta.input_tokens : base.input_tokens,
        cached_input_tokens: u.cache_read_input_tokens !== undefined && u.cache_read_input_tokens !== null ? delta.cached_input_tokens : base.cached_input_tokens,
        cache_write_tokens: u.cache_creation_input_tokens !== undefined && u.cache_creation_input_tokens !== null ? delta.cache_write_tokens : base.cache_write_tokens,
      };
    }
    return json.type === 'message_stop';
  }
}

const USAGE_EVENTS = new Set(['message_start', 'message_delta']);

class AnthropicStreamObserver implements StreamObserver {
  private readonly tracker = new AnthropicUsageTracker();
  private done = false;
  onEvent(ev: StreamEvent): void {
    if (ev.event === 'message_stop') {
      this.done = true;
      return;
    }
    // Only message_start and message_delta carry usage: skip parsing every content delta.
    if (ev.event !== undefined && !USAGE_EVENTS.has(ev.event)) return;
    if (this.tracker.feed(tryParse(ev.data))) this.done = true;
  }
  usage(): Usage | undefined {
    return this.tracker.current;
  }
  completed(): boolean {
    return this.done;
  }
}

export function anthropicErrorBody(code: string, message: string): JsonObject {
  return { type: 'error', error: { type: code, message } };
}

export function anthropicStreamError(code: string, message: string): string {
  return formatSse(JSON.stringify(anthropicErrorBody(code, message)), 'error');
}

export const anthropicFormat: WireFormat = {
  stream: SSE_STREAM,
  usageFromJson: (json) => (isObject(json) ? anthropicUsage(json.usage) : undefined),
  observeStream: () => new AnthropicStreamObserver(),
  errorBody: anthropicErrorBody,
  streamErrorEvent: anthropicStreamError,
};
