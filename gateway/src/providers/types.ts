// The provider seam. Each provider is a folder exporting one ProviderDefinition (config schema +
// factory); the factory binds a validated config into a ProviderAdapter. Core code (routes, relay)
// only ever talks to these interfaces, never to a specific provider.
import type { KeyPool } from '../controls/keys.ts';
import type { z } from 'zod';
import type { StreamDecoder, StreamEvent } from '../upstream/sse.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/**
 * Usage normalized across providers. input_tokens excludes cached reads and cache writes;
 * output_tokens includes reasoning (reasoning_tokens is the subset).
 */
export interface Usage {
  input_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
}

export type UsageSource = 'provider' | 'estimated' | 'missing';

/** Follows one upstream stream event by event to learn its usage and whether it completed. */
export interface StreamObserver {
  onEvent(ev: StreamEvent): void;
  /** The usage seen so far (partial when the stream was cut); undefined when none was reported. */
  usage(): Usage | undefined;
  /** True once the provider's own end-of-stream marker was seen. */
  completed(): boolean;
}

/** How one upstream wire format is read: its stream framing, its usage, its error shapes. */
export interface WireFormat {
  readonly stream: {
    /** Content type of a streamed answer (the relay streams when the upstream sends it). */
    readonly contentType: string;
    decoder(): StreamDecoder;
  };
  /** Usage from a complete JSON answer (and its headers); undefined when it has none. */
  usageFromJson(json: Json, headers: ResponseHeaders): Usage | undefined;
  /** A fresh observer for one stream. */
  observeStream(): StreamObserver;
  /** A gateway error in the format's own JSON error shape. */
  errorBody(code: string, message: string): JsonObject;
  /** A terminal error event in the format's own stream framing (mid-stream failure). */
  streamErrorEvent(code: string, message: string): string | Uint8Array;
}

/** What a native request turns into upstream. */
export interface NativeInspection {
  model: string;
  stream: boolean;
  /** A rewritten body (e.g. usage requested for a stream); undefined forwards the client's bytes. */
  body?: JsonObject;
  /** Drop stream events the client did not ask for (the usage chunk we requested for ourselves). */
  hideEvent?: (ev: StreamEvent) => boolean;
}

/** A request to send upstream: path (and query) relative to the provider's base URL. */
export interface UpstreamCall {
  path: string;
  body: JsonObject;
  stream: boolean;
}

/**
 * OpenAI chat completions <-> one provider's native chat API. OpenAI's format is the pivot every
 * compat surface goes through (the Anthropic-compatible surface too).
 */
export interface ChatCodec {
  /** An OpenAI chat request -> the provider's request. */
  request(body: JsonObject, model: string): UpstreamCall;
  /** The provider's JSON answer -> an OpenAI chat.completion. */
  response(json: Json, model: string): JsonObject;
  /**
   * The provider's stream -> OpenAI chat.completion.chunk objects. Usage, when the provider
   * reports it, comes as a chunk with `choices: []`; an upstream error event as an `{error}` object.
   */
  stream(model: string): ChatChunkStream;
  /** The provider's error body -> an OpenAI error object ({error: {message, type, param, code}}). */
  error(json: Json | undefined, status: number): JsonObject;
  /** The upstream speaks OpenAI chat itself: OpenAI clients get its bytes as they are. */
  readonly openaiNative?: boolean;
}

export interface ChatChunkStream {
  onEvent(ev: StreamEvent): JsonObject[];
}

/** OpenAI embeddings <-> one provider's embeddings API. */
export interface EmbeddingsCodec {
  request(body: JsonObject, model: string): UpstreamCall;
  /** The provider's JSON answer -> an OpenAI embeddings list. */
  response(json: Json, model: string): JsonObject;
  error(json: Json | undefined, status: number): JsonObject;
}

/**
 * The relay's view of a compat route: the upstream answer in the client's format. (The proxy's
 * ResponseShape names this type; built per surface from a provider's codec, see providers/surfaces.)
 */
export interface ChatTranslator {
  response(json: Json, model: string): JsonObject;
  stream(model: string, includeUsage: boolean): ChatStreamTranslator;
  error(json: Json | undefined, status: number): JsonObject;
  /** A terminal error event in the client's stream format. */
  streamErrorEvent(code: string, message: string): string;
}

export interface ChatStreamTranslator {
  onEvent(ev: StreamEvent): string;
  /** Text to send once the upstream completed normally (e.g. "data: [DONE]"). */
  end(): string;
}

/** Extra headers for one upstream request, computed from its final URL and body (e.g. SigV4). */
export type RequestSigner = (req: { method: string; url: string; headers: Record<string, string>; body: string | Buffer }) => Record<string, string>;

/** A provider bound to its validated config: everything the core needs to call it. */
export interface ProviderAdapter {
  readonly id: string;
  readonly displayName: string;
  /** Headers that carry a stored provider key upstream. */
  authHeaders(apiKey: string): Record<string, string>;
  /** Client headers that carry a provider key: replaced by the stored key when the gateway holds one. */
  readonly clientAuthHeaders: readonly string[];
  /** Headers sent upstream when the client did not set them (e.g. an API version). */
  readonly defaultHeaders?: Record<string, string>;
  /** Inspect a native request body (after JSON parsing) for model, stream and rewrites. */
  inspectNative(path: string, body: JsonObject): NativeInspection;
  /** The upstream URL of a native path (with the client's query string, '' or '?…'). */
  nativeUrl(baseUrl: string, path: string, search: string): string;
  /** The wire format an upstream URL answers in (one for most providers; Bedrock, Ollama… have several). */
  formatFor(url: string): WireFormat;
  /** Signs each upstream request (AWS SigV4); absent for key-header providers. */
  readonly sign?: RequestSigner;
  /** OpenAI chat translation; absent when the provider cannot serve compat chat. */
  readonly chat?: ChatCodec;
  /** OpenAI embeddings translation; absent when the provider has no embeddings API. */
  readonly embeddings?: EmbeddingsCodec;
  /** Set when the provider speaks Anthropic Messages natively: compat/v1/messages passes through. */
  readonly messagesPath?: string;
}

/** A provider bound to its config, as the routes use it (the proxy's ProviderRuntime). */
export interface ConfiguredProvider {
  adapter: ProviderAdapter;
  baseUrl: string;
  apiKey: string | undefined;
  /** Stored keys with aliases and weights; when set, each try picks one (apiKey is unused). */
  keys?: KeyPool | undefined;
  /** The models served here, when the config lists them (others get 404 SWY_UNKNOWN_MODEL). */
  models?: ReadonlySet<string> | undefined;
}

/** One provider of the registry: its own strict config schema and the factory that binds it. */
export interface ProviderDefinition<S extends z.ZodType = z.ZodType> {
  readonly id: string;
  readonly displayName: string;
  readonly config: S;
  create(config: z.output<S>): ConfiguredProvider;
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

/** The first value of a response header. */
export function headerValue(headers: ResponseHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
