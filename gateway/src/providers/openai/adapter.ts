// OpenAI (and, through openaiCompatible(), every provider that speaks its wire format).
import { formatSse, type SseEvent } from '../../upstream/sse.ts';
import {
  count, isObject, tryParse,
  type ChatTranslator, type Json, type JsonObject, type NativeInspection, type ProviderAdapter, type StreamObserver, type Usage,
} from '../types.ts';

/** OpenAI usage -> normalized. prompt_tokens includes cached tokens; completion includes reasoning. */
export function openaiUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const prompt = count(u.prompt_tokens ?? u.input_tokens);
  const cached = count(
    (isObject(u.prompt_tokens_details) ? u.prompt_tokens_details.cached_tokens : undefined) ??
      (isObject(u.input_tokens_details) ? u.input_tokens_details.cached_tokens : undefined),
  );
  const reasoning = count(
    (isObject(u.completion_tokens_details) ? u.completion_tokens_details.reasoning_tokens : undefined) ??
      (isObject(u.output_tokens_details) ? u.output_tokens_details.reasoning_tokens : undefined),
  );
  return {
    input_tokens: Math.max(0, prompt - cached),
    cached_input_tokens: cached,
    cache_write_tokens: 0,
    output_tokens: count(u.completion_tokens ?? u.output_tokens),
    reasoning_tokens: reasoning,
  };
}

/** The chunk we add with stream_options.include_usage: no choices, only usage. */
function isUsageOnlyChunk(ev: SseEvent): boolean {
  if (!ev.data.includes('"usage"')) return false;
  const json = tryParse(ev.data);
  return isObject(json) && Array.isArray(json.choices) && json.choices.length === 0 && isObject(json.usage);
}

class OpenAiStreamObserver implements StreamObserver {
  private last: Usage | undefined;
  private done = false;
  onEvent(ev: SseEvent): void {
    if (ev.data === '[DONE]') {
      this.done = true;
      return;
    }
    // Usage rides on the last chunk only; skip parsing chunks that cannot carry it.
    if (!ev.data.includes('"usage"')) return;
    const json = tryParse(ev.data);
    if (isObject(json) && isObject(json.usage)) this.last = openaiUsage(json.usage);
  }
  usage(): Usage | undefined {
    return this.last;
  }
  completed(): boolean {
    return this.done;
  }
}

/** Ask for stream usage ourselves; hide the extra chunk when the client did not ask for it. */
export function withStreamUsage(body: JsonObject): { body: JsonObject; hideEvent?: (ev: SseEvent) => boolean } {
  const opts = isObject(body.stream_options) ? body.stream_options : undefined;
  if (opts?.include_usage === true) return { body };
  return {
    body: { ...body, stream_options: { ...(opts ?? {}), include_usage: true } },
    hideEvent: isUsageOnlyChunk,
  };
}

export function openaiErrorBody(code: string, message: string): JsonObject {
  return { error: { message, type: 'switchyard_error', param: null, code } };
}

/** Compat chat on an OpenAI-format upstream: the body passes through with the bare model name. */
const passthroughChat: ChatTranslator = {
  request(body, model) {
    const stream = body.stream === true;
    const out: JsonObject = { ...body, model };
    return { path: '/chat/completions', body: stream ? withStreamUsage(out).body : out, stream };
  },
  response(json) {
    return json as JsonObject;
  },
  stream(_model, includeUsage) {
    return {
      onEvent: (ev) => (ev.data === '[DONE]' || (!includeUsage && isUsageOnlyChunk(ev)) ? '' : ev.raw),
      end: () => formatSse('[DONE]'),
    };
  },
  error(json, status) {
    if (isObject(json) && isObject(json.error)) return json;
    return openaiErrorBody('upstream_error', `upstream answered ${status}`);
  },
};

export interface OpenAiCompatibleOptions {
  id: string;
  displayName: string;
  defaultBaseUrl: string;
  /** Whether the upstream honours stream_options.include_usage (most OpenAI-likes do). */
  streamUsageOption?: boolean;
}

/** Build the adapter of any provider that speaks OpenAI's wire format. */
export function openaiCompatible(opts: OpenAiCompatibleOptions): ProviderAdapter {
  const askUsage = opts.streamUsageOption ?? true;
  return {
    id: opts.id,
    displayName: opts.displayName,
    defaultBaseUrl: opts.defaultBaseUrl,
    authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
    clientAuthHeaders: ['authorization'],
    inspectNative(_path, body): NativeInspection {
      const model = typeof body.model === 'string' ? body.model : '';
      const stream = body.stream === true;
      if (!stream || !askUsage) return { model, stream };
      return { model, stream, ...withStreamUsage(body) };
    },
    usageFromJson: (json: Json) => (isObject(json) ? openaiUsage(json.usage) : undefined),
    observeStream: () => new OpenAiStreamObserver(),
    errorBody: openaiErrorBody,
    // OpenAI reports stream failures as a data event carrying an error object, with no [DONE].
    streamErrorEvent: (code, message) => formatSse(JSON.stringify(openaiErrorBody(code, message))),
    chat: passthroughChat,
  };
}

export const openai = openaiCompatible({ id: 'openai', displayName: 'OpenAI', defaultBaseUrl: 'https://api.openai.com/v1' });
