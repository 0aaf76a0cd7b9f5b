// openaiCompatible(): the whole adapter of a provider that speaks OpenAI's wire format, from a few
// lines of options (see mistral/, groq/, deepseek/ … for one-line providers).
import { z } from 'zod';
import { baseFields, resolved } from '../shared/config.ts';
import type { NativeInspection, ProviderAdapter, ProviderDefinition } from '../types.ts';
import { passthroughChat, passthroughEmbeddings, withStreamUsage } from './codec.ts';
import { openaiFormat, type OpenAiFormatOptions } from './format.ts';

export interface OpenAiCompatibleOptions extends OpenAiFormatOptions {
  id: string;
  displayName: string;
  defaultBaseUrl: string;
  /** Whether the upstream honours stream_options.include_usage (most OpenAI-likes do). */
  streamUsageOption?: boolean;
  /** Chat completions path under the base URL. Default /chat/completions. */
  chatPath?: string;
  /** Embeddings path under the base URL; null when the provider has none. Default /embeddings. */
  embeddingsPath?: string | null;
}

const Config = z.strictObject(baseFields);

/** The adapter itself, for providers that build on it (Azure, custom providers). */
export function openaiCompatibleAdapter(opts: OpenAiCompatibleOptions): ProviderAdapter {
  const askUsage = opts.streamUsageOption ?? true;
  const format = openaiFormat(opts);
  const embeddingsPath = opts.embeddingsPath === undefined ? '/embeddings' : opts.embeddingsPath;
  return {
    id: opts.id,
    displayName: opts.displayName,
    authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    clientAuthHeaders: ['authorization'],
    inspectNative(path, body): NativeInspection {
      const model = typeof body.model === 'string' ? body.model : '';
      const stream = body.stream === true;
      // stream_options.include_usage belongs to (chat) completions; the Responses API reports
      // usage in response.completed by itself and refuses the option.
      if (!stream || !askUsage || !path.endsWith('/completions')) return { model, stream };
      return { model, stream, ...withStreamUsage(body) };
    },
    nativeUrl: (baseUrl, path, search) => baseUrl + path + search,
    formatFor: () => format,
    chat: passthroughChat({ chatPath: opts.chatPath ?? '/chat/completions', streamUsageOption: askUsage, reasoningInCompletion: opts.reasoningInCompletion ?? true }),
    ...(embeddingsPath ? { embeddings: passthroughEmbeddings(embeddingsPath) } : {}),
  };
}

/** Build the definition of any provider that speaks OpenAI's wire format. */
export function openaiCompatible(opts: OpenAiCompatibleOptions): ProviderDefinition<typeof Config> {
  const adapter = openaiCompatibleAdapter(opts);
  return {
    id: opts.id,
    displayName: opts.displayName,
    config: Config,
    create: (cfg) => ({ adapter, ...resolved(cfg, opts.defaultBaseUrl) }),
  };
}
