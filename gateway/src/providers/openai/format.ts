// OpenAI's wire format (chat completions, the Responses API, embeddings) and its many look-alikes:
// usage in every shape they report it, the stream's end markers, error shapes.
import { formatSse } from '../../upstream/sse.ts';
import type { StreamEvent } from '../../upstream/sse.ts';
import { SSE_STREAM } from '../shared/sse-stream.ts';
import { count, isObject, tryParse, type Json, type JsonObject, type StreamObserver, type Usage, type WireFormat } from '../types.ts';

export interface OpenAiUsageOptions {
  /**
   * Whether completion_tokens already includes reasoning_tokens (OpenAI: yes). xAI reports them
   * apart, so its output is completion + reasoning.
   */
  reasoningInCompletion?: boolean;
}

/**
 * OpenAI-style usage -> normalized. Chat (prompt/completion), Responses (input/output) and the
 * look-alikes' extras: DeepSeek's prompt_cache_hit_tokens, Perplexity's top-level reasoning_tokens.
 */
export function openaiUsage(u: unknown, opts: OpenAiUsageOptions = {}): Usage | undefined {
  if (!isObject(u)) return undefined;
  const prompt = count(u.prompt_tokens ?? u.input_tokens);
  const promptDetails = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : isObject(u.input_tokens_details) ? u.input_tokens_details : {};
  const outDetails = isObject(u.completion_tokens_details) ? u.completion_tokens_details : isObject(u.output_tokens_details) ? u.output_tokens_details : {};
  const cached = Math.min(prompt, count(promptDetails.cached_tokens ?? u.prompt_cache_hit_tokens));
  const reasoning = count(outDetails.reasoning_tokens ?? u.reasoning_tokens);
  const completion = count(u.completion_tokens ?? u.output_tokens);
  return {
    input_tokens: prompt - cached,
    cached_input_tokens: cached,
    cache_write_tokens: 0,
    output_tokens: opts.reasoningInCompletion === false ? completion + reasoning : completion,
    reasoning_tokens: reasoning,
  };
}

/** Where a JSON answer or chunk carries its usage: `usage`, Groq's `x_groq.usage`, a Responses event's `response.usage`. */
export function usageObjectOf(json: Json | undefined): JsonObject | undefined {
  if (!isObject(json)) return undefined;
  if (isObject(json.usage)) return json.usage;
  if (isObject(json.x_groq) && isObject(json.x_groq.usage)) return json.x_groq.usage;
  if (isObject(json.response) && isObject(json.response.usage)) return json.response.usage;
  return undefined;
}

const CHOICES_EMPTY = /"choices"\s*:\s*\[\s*\]/;
const USAGE_OBJECT = /"usage"\s*:\s*\{/;
const RESPONSES_END = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** The chunk we add with stream_options.include_usage: no choices, only usage. */
export function isUsageOnlyChunk(ev: StreamEvent): boolean {
  if (!CHOICES_EMPTY.test(ev.data) || !USAGE_OBJECT.test(ev.data)) return false;
  const json = tryParse(ev.data);
  return isObject(json) && Array.isArray(json.choices) && json.choices.length === 0 && isObject(json.usage);
}

class OpenAiStreamObserver implements StreamObserver {
  private last: Usage | undefined;
  private done = false;
  private readonly opts: OpenAiFormatOptions;
  constructor(opts: OpenAiFormatOptions) {
    this.opts = opts;
  }
  onEvent(ev: StreamEvent): void {
    if (ev.data === '[DONE]') {
      this.done = true;
      return;
    }
    if (ev.event !== undefined && RESPONSES_END.has(ev.event)) this.done = true;
    // Usage rides on the last chunk(s) only; skip parsing chunks that cannot carry it.
    const finishes = this.opts.completesOnFinish === true && /"finish_reason"\s*:\s*"/.test(ev.data);
    if (!USAGE_OBJECT.test(ev.data) && !finishes) return;
    const json = tryParse(ev.data);
    const u = usageObjectOf(json);
    if (u) this.last = openaiUsage(u, this.opts);
    if (finishes && this.last) this.done = true;
  }
  usage(): Usage | undefined {
    return this.last;
  }
  completed(): boolean {
    return this.done;
  }
}

export function openaiErrorBody(code: string, message: string): JsonObject {
  return { error: { message, type: 'switchyard_error', param: null, code } };
}

/** OpenAI reports a stream failure as a data event carrying an error object, with no [DONE]. */
export function openaiStreamError(code: string, message: string): string {
  return formatSse(JSON.stringify(openaiErrorBody(code, message)));
}

/** Any upstream error body as an OpenAI error object (kept when it already is one). */
export function asOpenAiError(json: Json | undefined, status: number): JsonObject {
  if (isObject(json) && isObject(json.error) && typeof json.error.message === 'string') return json;
  // Other shapes seen on OpenAI-compatible APIs: {message}, {error: "…"}, Cloudflare's {errors: [{message}]}.
  const first = isObject(json) && Array.isArray(json.errors) && isObject(json.errors[0]) ? json.errors[0].message : undefined;
  const message = isObject(json) && typeof json.message === 'string' ? json.message
    : isObject(json) && typeof json.error === 'string' ? json.error
    : isObject(json) && isObject(json.error) && typeof json.error.message === 'string' ? json.error.message
    : typeof first === 'string' ? first
    : `upstream answered ${status}`;
  return { error: { message, type: 'upstream_error', param: null, code: null } };
}

export interface OpenAiFormatOptions extends OpenAiUsageOptions {
  /** The stream has no [DONE]: a finish_reason chunk carrying usage ends it. */
  completesOnFinish?: boolean;
}

export function openaiFormat(opts: OpenAiFormatOptions = {}): WireFormat {
  return {
    stream: SSE_STREAM,
    usageFromJson: (json) => {
      const u = usageObjectOf(json);
      return u ? openaiUsage(u, opts) : undefined;
    },
    observeStream: () => new OpenAiStreamObserver(opts),
    errorBody: openaiErrorBody,
    streamErrorEvent: openaiStreamError,
  };
}
