// The Anthropic-compatible surface (compat/v1/messages): Anthropic Messages in and out for any
// provider. Requests become OpenAI chat requests (the pivot) for the provider's chat codec;
// answers and streams come back through the same codec and are rebuilt as Anthropic messages/events.
import { formatSse } from '../../upstream/sse.ts';
import { openaiUsage } from '../openai/format.ts';
import { isObject, type ChatCodec, type ChatTranslator, type Json, type JsonObject, type Usage } from '../types.ts';
import { anthropicStreamError } from './format.ts';

const STOP: Record<string, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', function_call: 'tool_use', content_filter: 'refusal' };

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 402: 'billing_error', 403: 'permission_error', 404: 'not_found_error',
  413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 504: 'timeout_error', 529: 'overloaded_error',
};

function blockText(content: Json | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b) => (isObject(b) && b.type === 'text' && typeof b.text === 'string' ? b.text : '')).join('');
}

function imagePart(b: JsonObject): JsonObject | undefined {
  const s = isObject(b.source) ? b.source : {};
  if (s.type === 'base64') return { type: 'image_url', image_url: { url: `data:${String(s.media_type)};base64,${String(s.data)}` } };
  if (s.type === 'url' && typeof s.url === 'string') return { type: 'image_url', image_url: { url: s.url } };
  return undefined;
}

function convertMessage(m: JsonObject, out: JsonObject[]): void {
  const role = m.role === 'assistant' ? 'assistant' : 'user';
  if (typeof m.content === 'string') {
    out.push({ role, content: m.content });
    return;
  }
  const parts: JsonObject[] = [];
  const toolCalls: JsonObject[] = [];
  for (const b of Array.isArray(m.content) ? m.content : []) {
    if (!isObject(b)) continue;
    if (b.type === 'text' && typeof b.text === 'string') parts.push({ type: 'text', text: b.text });
    else if (b.type === 'image') {
      const img = imagePart(b);
      if (img) parts.push(img);
    } else if (b.type === 'tool_use') {
      toolCalls.push({ id: String(b.id ?? ''), type: 'function', function: { name: String(b.name ?? ''), arguments: JSON.stringify(b.input ?? {}) } });
    } else if (b.type === 'tool_result') {
      // OpenAI answers each tool call in its own message, before the user's next words.
      out.push({ role: 'tool', tool_call_id: String(b.tool_use_id ?? ''), content: blockText(b.content) });
    }
  }
  if (role === 'assistant') {
    const text = parts.filter((p) => p.type === 'text').map((p) => String(p.text)).join('');
    if (text || toolCalls.length) out.push({ role, content: text || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) });
  } else if (parts.length) {
    out.push({ role, content: parts.every((p) => p.type === 'text') ? parts.map((p) => String(p.text)).join('') : parts });
  }
}

function toolChoice(c: Json | undefined): Json | undefined {
  if (!isObject(c)) return undefined;
  if (c.type === 'auto') return 'auto';
  if (c.type === 'any') return 'required';
  if (c.type === 'none') return 'none';
  if (c.type === 'tool' && typeof c.name === 'string') return { type: 'function', function: { name: c.name } };
  return undefined;
}

/** An Anthropic Messages request -> the OpenAI chat request it means (model set by the caller). */
export function fromAnthropicRequest(body: JsonObject, model: string): JsonObject {
  const messages: JsonObject[] = [];
  const system = blockText(body.system);
  if (system) messages.push({ role: 'system', content: system });
  for (const m of Array.isArray(body.messages) ? body.messages : []) if (isObject(m)) convertMessage(m, messages);
  const tools = (Array.isArray(body.tools) ? body.tools : []).flatMap((t) => {
    // Server tools (web search, code execution…) have no OpenAI equivalent.
    if (!isObject(t) || typeof t.name !== 'string' || (t.type !== undefined && t.type !== 'custom')) return [];
    return [{ type: 'function', function: { name: t.name, ...(typeof t.description === 'string' ? { description: t.description } : {}), parameters: isObject(t.input_schema) ? t.input_schema : { type: 'object' } } }];
  });
  const choice = toolChoice(body.tool_choice);
  const stream = body.stream === true;
  return {
    model,
    messages,
    ...(typeof body.max_tokens === 'number' ? { max_tokens: body.max_tokens } : {}),
    ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
    ...(typeof body.top_p === 'number' ? { top_p: body.top_p } : {}),
    ...(Array.isArray(body.stop_sequences) ? { stop: body.stop_sequences } : {}),
    ...(tools.length ? { tools } : {}),
    ...(choice !== undefined ? { tool_choice: choice } : {}),
    ...(isObject(body.metadata) && typeof body.metadata.user_id === 'string' ? { user: body.metadata.user_id } : {}),
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

function anthropicUsageObject(u: Usage | undefined): JsonObject {
  return {
    input_tokens: u?.input_tokens ?? 0,
    cache_creation_input_tokens: u?.cache_write_tokens ?? 0,
    cache_read_input_tokens: u?.cached_input_tokens ?? 0,
    output_tokens: u?.output_tokens ?? 0,
  };
}

/** An OpenAI chat.completion -> an Anthropic message. */
export function toAnthropicMessage(c: JsonObject, model: string): JsonObject {
  const choice = Array.isArray(c.choices) && isObject(c.choices[0]) ? c.choices[0] : {};
  const msg = isObject(choice.message) ? choice.message : {};
  const content: JsonObject[] = [];
  if (typeof msg.reasoning_content === 'string' && msg.reasoning_content) content.push({ type: 'thinking', thinking: msg.reasoning_content, signature: '' });
  if (typeof msg.content === 'string' && msg.content) content.push({ type: 'text', text: msg.content });
  for (const call of Array.isArray(msg.tool_calls) ? msg.tool_calls : []) {
    if (!isObject(call) || !isObject(call.function)) continue;
    const args = typeof call.function.arguments === 'string' ? call.function.arguments : '{}';
    let input: Json = {};
    try { input = JSON.parse(args) as Json; } catch { input = {}; }
    content.push({ type: 'tool_use', id: String(call.id ?? ''), name: String(call.function.name ?? ''), input });
  }
  return {
    id: String(c.id ?? ''),
    type: 'message',
    role: 'assistant',
    model: typeof c.model === 'string' && c.model ? c.model : model,
    content,
    stop_reason: STOP[String(choice.finish_reason)] ?? 'end_turn',
    stop_sequence: null,
    usage: anthropicUsageObject(openaiUsage(c.usage)),
  };
}

/** An OpenAI error object -> an Anthropic error body. */
export function toAnthropicError(e: JsonObject, status: number): JsonObject {
  const err = isObject(e.error) ? e.error : {};
  return { type: 'error', error: { type: ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message: typeof err.message === 'string' ? err.message : `upstream answered ${status}` } };
}

function event(type: string, data: JsonObject): string {
  return formatSse(JSON.stringify({ type, ...data }), type);
}

/** Rebuilds an Anthropic event stream from OpenAI chunks. */
export class AnthropicEventWriter {
  private started = false;
  private open: { index: number; kind: 'text' | 'thinking' | 'tool'; tool?: number } | undefined;
  private next = 0;
  private stop = 'end_turn';
  private usage: Usage | undefined;
  private readonly model: string;
  constructor(model: string) {
    this.model = model;
  }

  private start(chunk: JsonObject | undefined): string {
    if (this.started) return '';
    this.started = true;
    const message = { id: String(chunk?.id ?? ''), type: 'message', role: 'assistant', model: typeof chunk?.model === 'string' && chunk.model ? chunk.model : this.model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsageObject(undefined) };
    return event('message_start', { message });
  }

  private openBlock(kind: 'text' | 'thinking' | 'tool', block: JsonObject, tool?: number): string {
    const close = this.closeBlock();
    this.open = { index: this.next++, kind, ...(tool !== undefined ? { tool } : {}) };
    return close + event('content_block_start', { index: this.open.index, content_block: block });
  }

  private closeBlock(): string {
    if (!this.open) return '';
    const index = this.open.index;
    this.open = undefined;
    return event('content_block_stop', { index });
  }

  private delta(delta: JsonObject): string {
    return event('content_block_delta', { index: this.open?.index ?? 0, delta });
  }

  /** One OpenAI chunk (or {error}) -> Anthropic events. */
  chunk(c: JsonObject): string {
    if (isObject(c.error)) return anthropicStreamError(String(c.error.type ?? 'api_error'), String(c.error.message ?? 'upstream stream error'));
    let out = this.start(c);
    if (isObject(c.usage)) this.usage = openaiUsage(c.usage);
    const choice = Array.isArray(c.choices) && isObject(c.choices[0]) ? c.choices[0] : undefined;
    const d = choice && isObject(choice.delta) ? choice.delta : {};
    if (typeof d.reasoning_content === 'string' && d.reasoning_content) {
      if (this.open?.kind !== 'thinking') out += this.openBlock('thinking', { type: 'thinking', thinking: '' });
      out += this.delta({ type: 'thinking_delta', thinking: d.reasoning_content });
    }
    if (typeof d.content === 'string' && d.content) {
      if (this.open?.kind !== 'text') out += this.openBlock('text', { type: 'text', text: '' });
      out += this.delta({ type: 'text_delta', text: d.content });
    }
    for (const tc of Array.isArray(d.tool_calls) ? d.tool_calls : []) {
      if (!isObject(tc)) continue;
      const f = isObject(tc.function) ? tc.function : {};
      const index = typeof tc.index === 'number' ? tc.index : 0;
      if (this.open?.kind !== 'tool' || this.open.tool !== index) {
        out += this.openBlock('tool', { type: 'tool_use', id: String(tc.id ?? ''), name: String(f.name ?? ''), input: {} }, index);
      }
      if (typeof f.arguments === 'string' && f.arguments) out += this.delta({ type: 'input_json_delta', partial_json: f.arguments });
    }
    if (choice && typeof choice.finish_reason === 'string') this.stop = STOP[choice.finish_reason] ?? 'end_turn';
    return out;
  }

  /** The stream completed: close the open block, report stop reason and usage, stop. */
  end(): string {
    return this.start(undefined) + this.closeBlock()
      + event('message_delta', { delta: { stop_reason: this.stop, stop_sequence: null }, usage: anthropicUsageObject(this.usage) })
      + event('message_stop', {});
  }
}

/** Compat messages on a provider reached through its OpenAI chat codec. */
export function anthropicClient(codec: ChatCodec): ChatTranslator {
  return {
    response: (json, model) => toAnthropicMessage(codec.response(json, model), model),
    error: (json, status) => toAnthropicError(codec.error(json, status), status),
    streamErrorEvent: anthropicStreamError,
    stream(model) {
      const chunks = codec.stream(model);
      const writer = new AnthropicEventWriter(model);
      return {
        onEvent: (ev) => chunks.onEvent(ev).map((c) => writer.chunk(c)).join(''),
        end: () => writer.end(),
      };
    },
  };
}

/** Compat messages on a provider that speaks Anthropic Messages itself: its bytes as they are. */
export const anthropicPassthroughClient: ChatTranslator = {
  response: (json) => (isObject(json) ? json : {}),
  error: (json, status) => (isObject(json) && json.type === 'error' ? json : toAnthropicError({}, status)),
  streamErrorEvent: anthropicStreamError,
  stream: () => ({ onEvent: (ev) => (typeof ev.raw === 'string' ? ev.raw : ''), end: () => '' }),
};
