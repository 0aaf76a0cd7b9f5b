// Cloudflare Workers AI: /workers-ai/{model} runs a model (answers wrapped in {result, success,
// errors}; streams of {"response": …} events, usage in the last one, then [DONE]);
// /workers-ai/v1/… is its OpenAI-compatible API. The account id comes from config.
import { z } from 'zod';
import { formatSse } from '../../upstream/sse.ts';
import type { StreamEvent } from '../../upstream/sse.ts';
import { openaiCompatibleAdapter } from '../openai/compatible.ts';
import { openaiFormat, openaiUsage } from '../openai/format.ts';
import { fillTemplate, httpUrl, modelsField } from '../shared/config.ts';
import { SSE_STREAM } from '../shared/sse-stream.ts';
import { isObject, tryParse, type JsonObject, type ProviderDefinition, type StreamObserver, type Usage, type WireFormat } from '../types.ts';

const Config = z.strictObject({
  account_id: z.string().regex(/^[0-9a-f]{32}$/i),
  /** Base URL template; {account_id} is filled from config. */
  base_url: httpUrl.optional(),
  api_key: z.string().optional(),
  models: modelsField,
});

class RunObserver implements StreamObserver {
  private last: Usage | undefined;
  private done = false;
  onEvent(ev: StreamEvent): void {
    if (ev.data === '[DONE]') this.done = true;
    else if (ev.data.includes('"usage"')) {
      const json = tryParse(ev.data);
      if (isObject(json) && isObject(json.usage)) this.last = openaiUsage(json.usage);
    }
  }
  usage(): Usage | undefined {
    return this.last;
  }
  completed(): boolean {
    return this.done;
  }
}

const errorBody = (code: string, message: string): JsonObject => ({ result: null, success: false, errors: [{ code: 0, message: `${code}: ${message}` }], messages: [] });

export const workersRunFormat: WireFormat = {
  stream: SSE_STREAM,
  usageFromJson: (json) => (isObject(json) && isObject(json.result) ? openaiUsage(json.result.usage) : undefined),
  observeStream: () => new RunObserver(),
  errorBody,
  streamErrorEvent: (code, message) => formatSse(JSON.stringify(errorBody(code, message))),
};

const OPENAI_API = /\/ai\/v1\//;

export const workersAi: ProviderDefinition<typeof Config> = {
  id: 'workers-ai',
  displayName: 'Workers AI',
  config: Config,
  create(cfg) {
    const baseUrl = fillTemplate((cfg.base_url ?? 'https://api.cloudflare.com/client/v4/accounts/{account_id}/ai').replace(/\/+$/, ''), { account_id: cfg.account_id });
    // Its OpenAI-compatible API may not honour stream_options: usage is taken as it comes.
    const compat = openaiCompatibleAdapter({ id: 'workers-ai', displayName: 'Workers AI', defaultBaseUrl: baseUrl, chatPath: '/v1/chat/completions', embeddingsPath: '/v1/embeddings', streamUsageOption: false });
    const openai = openaiFormat();
    return {
      baseUrl,
      apiKey: cfg.api_key || undefined,
      adapter: {
        ...compat,
        inspectNative(path, body) {
          if (path.startsWith('/v1/')) return compat.inspectNative(path, body);
          return { model: decodeURIComponent(path.slice(1)), stream: body.stream === true };
        },
        nativeUrl: (base, path, search) => base + (path.startsWith('/v1/') ? path : `/run${path}`) + search,
        formatFor: (url) => (OPENAI_API.test(url) ? openai : workersRunFormat),
      },
    };
  },
};
