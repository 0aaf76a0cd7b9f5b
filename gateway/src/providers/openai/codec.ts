// Compat routes on an OpenAI-format upstream: the body passes through with the bare model name.
import type { StreamEvent } from '../../upstream/sse.ts';
import { isObject, tryParse, type ChatCodec, type EmbeddingsCodec, type JsonObject } from '../types.ts';
import { asOpenAiError, isUsageOnlyChunk, usageObjectOf } from './format.ts';

/** Ask for stream usage ourselves; hide the extra chunk when the client did not ask for it. */
export function withStreamUsage(body: JsonObject): { body: JsonObject; hideEvent?: (ev: StreamEvent) => boolean } {
  const opts = isObject(body.stream_options) ? body.stream_options : undefined;
  if (opts?.include_usage === true) return { body };
  return {
    body: { ...body, stream_options: { ...(opts ?? {}), include_usage: true } },
    hideEvent: isUsageOnlyChunk,
  };
}

export interface PassthroughOptions {
  chatPath: string;
  /** Whether the upstream honours stream_options.include_usage. */
  streamUsageOption: boolean;
  /** false (xAI): completion_tokens leaves reasoning out, so usage is rewritten to OpenAI's meaning. */
  reasoningInCompletion?: boolean;
}

/** completion_tokens as OpenAI means it (reasoning included), for upstreams that count it apart. */
function withReasoningInCompletion(json: JsonObject): JsonObject {
  const u = usageObjectOf(json);
  if (!u) return json;
  const details = isObject(u.completion_tokens_details) ? u.completion_tokens_details : {};
  const reasoning = typeof details.reasoning_tokens === 'number' ? details.reasoning_tokens : 0;
  const completion = typeof u.completion_tokens === 'number' ? u.completion_tokens : 0;
  return { ...json, usage: { ...u, completion_tokens: completion + reasoning } };
}

export function passthroughChat(opts: PassthroughOptions): ChatCodec {
  const fix = opts.reasoningInCompletion === false ? withReasoningInCompletion : (json: JsonObject) => json;
  return {
    // Relayed byte for byte to OpenAI clients, unless usage must be rewritten.
    openaiNative: opts.reasoningInCompletion !== false,
    request(body, model) {
      const stream = body.stream === true;
      const out: JsonObject = { ...body, model };
      return { path: opts.chatPath, body: stream && opts.streamUsageOption ? withStreamUsage(out).body : out, stream };
    },
    response: (json) => (isObject(json) ? fix(json) : {}),
    stream: () => ({
      onEvent(ev) {
        if (ev.data === '[DONE]' || !ev.data) return [];
        const json = tryParse(ev.data);
        if (!isObject(json)) return [];
        // Groq reports stream usage under x_groq: surface it where OpenAI puts it.
        const usage = usageObjectOf(json);
        return [fix(usage && !isObject(json.usage) ? { ...json, usage } : json)];
      },
    }),
    error: asOpenAiError,
  };
}

export function passthroughEmbeddings(path: string): EmbeddingsCodec {
  return {
    request: (body, model) => ({ path, body: { ...body, model }, stream: false }),
    response: (json) => (isObject(json) ? json : {}),
    error: asOpenAiError,
  };
}
