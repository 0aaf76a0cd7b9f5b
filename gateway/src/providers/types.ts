// The provider seam. Each provider is a folder exporting one ProviderAdapter; core code only ever
// talks to this interface, never to a specific provider.
import type { SseEvent } from '../upstream/sse.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Usage normalized across providers. input_tokens excludes cached reads and cache writes. */
export interface Usage {
  input_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

/** Follows one upstream stream event by event to learn its usage and whether it completed. */
export interface StreamObserver {
  onEvent(ev: SseEvent): void;
  usage(): Usage | undefined;
  /** True once the provider's own end-of-stream marker was seen. */
  completed(): boolean;
}

/** What a native request turns into upstream. */
export interface NativeInspection {
  model: string;
  stream: boolean;
  /** A rewritten body (e.g. usage requested for a stream); undefined forwards the client's bytes. */
  body?: JsonObject;
  /** Drop stream events the client did not ask for (the usage chunk we requested for ourselves). */
  hideEvent?: (ev: SseEvent) => boolean;
}

/** Translates an OpenAI chat-completions exchange to and from the provider's native format. */
export interface ChatTranslator {
  request(body: JsonObject, model: string): { path: string; body: JsonObject; stream: boolean };
  /** The upstream JSON response as an OpenAI chat.completion object. */
  response(json: Json, model: string): JsonObject;
  /** Upstream stream events -> OpenAI chunk events (SSE text). includeUsage: the client asked for it. */
  stream(model: string, includeUsage: boolean): ChatStreamTranslator;
  /** An upstream error body as an OpenAI error object. */
  error(json: Json | undefined, status: number): JsonObject;
}

export interface ChatStreamTranslator {
  onEvent(ev: SseEvent): string;
  /** Text to send once the upstream completed normally (e.g. "data: [DONE]"). */
  end(): string;
}

export interface ProviderAdapter {
  readonly id: string;
  readonly displayName: string;
  /** Used when the config gives no base_url. */
  readonly defaultBaseUrl: string;
  /** Headers that carry a stored provider key upstream. */
  authHeaders(apiKey: string): Record<string, string>;
  /** Client headers that carry a provider key: replaced by the stored key when the gateway holds one. */
  readonly clientAuthHeaders: readonly string[];
  /** Headers sent upstream when the client did not set them (e.g. an API version). */
  readonly defaultHeaders?: Record<string, string>;
  /** Inspect a native request body (after JSON parsing) for model, stream and rewrites. */
  inspectNative(path: string, body: JsonObject): NativeInspection;
  /** Usage from a complete JSON response; undefined when the response has none. */
  usageFromJson(json: Json): Usage | undefined;
  /** A fresh observer for one stream. */
  observeStream(): StreamObserver;
  /** A gateway error in the provider's own JSON error shape (native routes). */
  errorBody(code: string, message: string): JsonObject;
  /** A terminal error event in the provider's own stream format (mid-stream failure). */
  streamErrorEvent(code: string, message: string): string;
  /** OpenAI chat-completions translation; absent when the provider cannot serve compat chat. */
  readonly chat?: ChatTranslator;
}

export const ZERO_USAGE: Readonly<Usage> = Object.freeze({
  input_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: 0, reasoning_tokens: 0,
});

/** A non-negative integer from an unknown JSON value (0 when absent or not a number). */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse that returns undefined instead of throwing (stream events, error bodies). */
export function tryParse(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}
