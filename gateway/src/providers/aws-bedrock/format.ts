// Bedrock's two wire formats, both streamed in AWS event-stream framing:
// - Converse / ConverseStream: usage {inputTokens, outputTokens, cacheRead/WriteInputTokens} in the
//   answer and in the stream's final `metadata` event;
// - InvokeModel / InvokeModelWithResponseStream: the model's own JSON; usage in the
//   x-amzn-bedrock-*-token-count headers and in the last chunk's amazon-bedrock-invocationMetrics
//   (Anthropic models also carry their own message_start / message_delta usage).
import type { StreamEvent } from '../../upstream/sse.ts';
import { AnthropicUsageTracker } from '../anthropic/format.ts';
import { anthropicUsage } from '../anthropic/usage.ts';
import { count, headerValue, isObject, tryParse, type Json, type JsonObject, type StreamObserver, type Usage, type WireFormat } from '../types.ts';
import { encodeMessage, EventStreamDecoder, EVENTSTREAM_CONTENT_TYPE } from './eventstream.ts';

/** Converse TokenUsage -> normalized (inputTokens excludes cache reads and writes). */
export function converseUsage(u: Json | undefined): Usage | undefined {
  if (!isObject(u)) return undefined;
  return {
    input_tokens: count(u.inputTokens),
    cached_input_tokens: count(u.cacheReadInputTokens),
    cache_write_tokens: count(u.cacheWriteInputTokens),
    output_tokens: count(u.outputTokens),
    reasoning_tokens: 0,
  };
}

/** amazon-bedrock-invocationMetrics -> normalized. */
function invocationUsage(m: Json | undefined): Usage | undefined {
  if (!isObject(m)) return undefined;
  return {
    input_tokens: count(m.inputTokenCount),
    cached_input_tokens: count(m.cacheReadInputTokenCount),
    cache_write_tokens: count(m.cacheWriteInputTokenCount),
    output_tokens: count(m.outputTokenCount),
    reasoning_tokens: 0,
  };
}

/** Usage of a whole InvokeModel answer: the token-count headers, else the model's own fields. */
function invokeUsage(json: Json, headers: Record<string, string | string[] | undefined>): Usage | undefined {
  const input = headerValue(headers, 'x-amzn-bedrock-input-token-count');
  if (input !== undefined) {
    const n = (name: string) => count(Number(headerValue(headers, name) ?? 0));
    return {
      input_tokens: n('x-amzn-bedrock-input-token-count'),
      cached_input_tokens: n('x-amzn-bedrock-cache-read-input-token-count'),
      cache_write_tokens: n('x-amzn-bedrock-cache-write-input-token-count'),
      output_tokens: n('x-amzn-bedrock-output-token-count'),
      reasoning_tokens: 0,
    };
  }
  if (!isObject(json)) return undefined;
  if (isObject(json.usage)) return anthropicUsage(json.usage);
  // Titan embeddings, Llama and Titan text report their own counts.
  if (typeof json.inputTextTokenCount === 'number' || typeof json.prompt_token_count === 'number') {
    const out = Array.isArray(json.results) && isObject(json.results[0]) ? json.results[0].tokenCount : json.generation_token_count;
    return { ...emptyUsage(), input_tokens: count(json.inputTextTokenCount ?? json.prompt_token_count), output_tokens: count(out) };
  }
  return undefined;
}

function emptyUsage(): Usage {
  return { input_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: 0, reasoning_tokens: 0 };
}

class ConverseObserver implements StreamObserver {
  private last: Usage | undefined;
  private done = false;
  onEvent(ev: StreamEvent): void {
    if (ev.event !== 'metadata') return;
    const json = tryParse(ev.data);
    const u = isObject(json) ? converseUsage(json.usage) : undefined;
    if (u) this.last = u;
    this.done = true;
  }
  usage(): Usage | undefined {
    return this.last;
  }
  completed(): boolean {
    return this.done;
  }
}

class InvokeObserver implements StreamObserver {
  private readonly anthropic = new AnthropicUsageTracker();
  private metrics: Usage | undefined;
  private done = false;
  onEvent(ev: StreamEvent): void {
    if (ev.event !== 'chunk') return;
    const json = tryParse(ev.data);
    if (!isObject(json)) return;
    this.anthropic.feed(json);
    const m = invocationUsage(json['amazon-bedrock-invocationMetrics']);
    if (m) {
      this.metrics = m;
      this.done = true;
    }
  }
  usage(): Usage | undefined {
    return this.metrics ?? this.anthropic.current;
  }
  completed(): boolean {
    return this.done;
  }
}

export function bedrockErrorBody(code: string, message: string): JsonObject {
  return { message: `${code}: ${message}` };
}

/** A terminal exception message in event-stream framing, as Bedrock itself ends a failed stream. */
export function bedrockStreamError(code: string, message: string): Uint8Array {
  const type = code === 'SWY_UPSTREAM_TIMEOUT' ? 'serviceUnavailableException' : 'internalServerException';
  return encodeMessage({ ':message-type': 'exception', ':exception-type': type, ':content-type': 'application/json' }, JSON.stringify(bedrockErrorBody(code, message)));
}

const STREAM = Object.freeze({ contentType: EVENTSTREAM_CONTENT_TYPE, decoder: () => new EventStreamDecoder() });

export const converseFormat: WireFormat = {
  stream: STREAM,
  usageFromJson: (json) => (isObject(json) ? converseUsage(json.usage) : undefined),
  observeStream: () => new ConverseObserver(),
  errorBody: bedrockErrorBody,
  streamErrorEvent: bedrockStreamError,
};

export const invokeFormat: WireFormat = {
  stream: STREAM,
  usageFromJson: invokeUsage,
  observeStream: () => new InvokeObserver(),
  errorBody: bedrockErrorBody,
  streamErrorEvent: bedrockStreamError,
};
