// Ollama: its native API (/api/chat, /api/generate, /api/embed: NDJSON streams, streaming by
// default, counts in prompt_eval_count / eval_count) and its OpenAI-compatible one (/v1/…).
import { openaiCompatibleAdapter } from '../openai/compatible.ts';
import { openaiFormat } from '../openai/format.ts';
import { BaseProviderConfig, resolved } from '../shared/config.ts';
import { count, isObject, tryParse, type Json, type JsonObject, type ProviderDefinition, type StreamObserver, type Usage, type WireFormat } from '../types.ts';
import { NdjsonDecoder } from './ndjson.ts';

/** prompt_eval_count / eval_count -> normalized (Ollama reports no cache or reasoning split). */
export function ollamaUsage(json: Json | undefined): Usage | undefined {
  if (!isObject(json) || (json.prompt_eval_count === undefined && json.eval_count === undefined)) return undefined;
  return { input_tokens: count(json.prompt_eval_count), cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: count(json.eval_count), reasoning_tokens: 0 };
}

class OllamaObserver implements StreamObserver {
  private last: Usage | undefined;
  private done = false;
  onEvent(ev: { data: string }): void {
    // Only the final line ("done": true) carries the counts.
    if (!ev.data.includes('"done":true') && !ev.data.includes('"done": true')) return;
    const json = tryParse(ev.data);
    this.last = ollamaUsage(json) ?? this.last;
    if (isObject(json) && json.done === true) this.done = true;
  }
  usage(): Usage | undefined {
    return this.last;
  }
  completed(): boolean {
    return this.done;
  }
}

const errorBody = (code: string, message: string): JsonObject => ({ error: `${code}: ${message}` });

export const ollamaFormat: WireFormat = {
  stream: { contentType: 'application/x-ndjson', decoder: () => new NdjsonDecoder() },
  usageFromJson: (json) => ollamaUsage(json),
  observeStream: () => new OllamaObserver(),
  errorBody,
  streamErrorEvent: (code, message) => JSON.stringify(errorBody(code, message)) + '\n',
};

const compat = openaiCompatibleAdapter({ id: 'ollama', displayName: 'Ollama', defaultBaseUrl: 'http://localhost:11434', chatPath: '/v1/chat/completions', embeddingsPath: '/v1/embeddings' });
const openai = openaiFormat();

export const ollama: ProviderDefinition<typeof BaseProviderConfig> = {
  id: 'ollama',
  displayName: 'Ollama',
  config: BaseProviderConfig,
  create: (cfg) => ({
    ...resolved(cfg, 'http://localhost:11434'),
    adapter: {
      ...compat,
      inspectNative(path, body) {
        if (path.startsWith('/v1/')) return compat.inspectNative(path, body);
        // The native API streams unless told not to.
        const streams = path === '/api/chat' || path === '/api/generate';
        return { model: typeof body.model === 'string' ? body.model : '', stream: streams && body.stream !== false };
      },
      formatFor: (url) => (url.includes('/v1/') ? openai : ollamaFormat),
    },
  }),
};
