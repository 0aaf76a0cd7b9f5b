// Anthropic Messages API.
import { formatSse } from '../../upstream/sse.ts';
import { isObject, tryParse, type JsonObject, type ProviderAdapter, type StreamObserver, type Usage } from '../types.ts';
import { anthropicChat } from './chat.ts';
import { anthropicUsage } from './usage.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

class AnthropicStreamObserver implements StreamObserver {
  private current: Usage | undefined;
  private done = false;
  onEvent(ev: { event: string | undefined; data: string }): void {
    // Usage arrives in message_start (input side) and message_delta (cumulative output).
    if (ev.event === 'message_stop') {
      this.done = true;
      return;
    }
    if (ev.event !== 'message_start' && ev.event !== 'message_delta') return;
    const json = tryParse(ev.data);
    if (!isObject(json)) return;
    if (json.type === 'message_start' && isObject(json.message)) {
      this.current = anthropicUsage(json.message.usage);
    } else if (json.type === 'message_delta' && isObject(json.usage)) {
      const delta = anthropicUsage(json.usage);
      if (!delta) return;
      const base = this.current ?? delta;
      this.current = {
        ...base,
        output_tokens: delta.output_tokens,
        // Newer API versions repeat the input side in message_delta; keep the larger count.
        input_tokens: Math.max(base.input_tokens, delta.input_tokens),
        cached_input_tokens: Math.max(base.cached_input_tokens, delta.cached_input_tokens),
        cache_write_tokens: Math.max(base.cache_write_tokens, delta.cache_write_tokens),
      };
    }
  }
  usage(): Usage | undefined {
    return this.current;
  }
  completed(): boolean {
    return this.done;
  }
}

function errorBody(code: string, message: string): JsonObject {
  return { type: 'error', error: { type: code, message } };
}

export const anthropic: ProviderAdapter = {
  id: 'anthropic',
  displayName: 'Anthropic',
  defaultBaseUrl: 'https://api.anthropic.com',
  authHeaders: (apiKey) => ({ 'x-api-key': apiKey }),
  clientAuthHeaders: ['x-api-key', 'authorization'],
  defaultHeaders: { 'anthropic-version': ANTHROPIC_VERSION },
  inspectNative: (_path, body) => ({ model: typeof body.model === 'string' ? body.model : '', stream: body.stream === true }),
  usageFromJson: (json) => (isObject(json) ? anthropicUsage(json.usage) : undefined),
  observeStream: () => new AnthropicStreamObserver(),
  errorBody,
  streamErrorEvent: (code, message) => formatSse(JSON.stringify(errorBody(code, message)), 'error'),
  chat: anthropicChat,
};
