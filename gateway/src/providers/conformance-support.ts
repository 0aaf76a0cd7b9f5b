// Test support for the conformance suite and the provider tests: a config naming every provider
// (all pointed at one test upstream), and reassembly of OpenAI chunks and Anthropic events into
// the answer they spell.
import { SseParser, type StreamEvent } from '../upstream/sse.ts';
import { configureProviders, ProvidersConfigSchema } from './config.ts';
import type { ChatExpectation, Fixture } from './fixtures.ts';
import { openaiUsage, usageObjectOf } from './openai/format.ts';
import { isObject, tryParse, type ConfiguredProvider, type Json, type JsonObject, type Usage, type WireFormat } from './types.ts';

/** The `providers` config section with every provider (and custom-acme) at `url`. */
export function testProvidersConfig(url: string): Record<string, unknown> {
  return {
    openai: { base_url: url, api_key: 'sk-openai' },
    'azure-openai': { base_url: `${url}/azure/{resource}`, resource: 'my-resource', api_key: 'azure-key' },
    anthropic: { base_url: url, api_key: 'sk-ant' },
    'google-ai-studio': { base_url: url, api_key: 'gemini-key' },
    'google-vertex-ai': { base_url: `${url}/vertex/{region}`, project: 'my-project', region: 'us-central1', api_key: 'ya29.token' },
    'aws-bedrock': { base_url: `${url}/bedrock/{region}`, region: 'us-east-1', access_key_id: 'AKIDEXAMPLE', secret_access_key: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    'workers-ai': { base_url: `${url}/cf/{account_id}/ai`, account_id: '0123456789abcdef0123456789abcdef', api_key: 'cf-token' },
    mistral: { base_url: url, api_key: 'mistral-key' },
    groq: { base_url: url, api_key: 'groq-key' },
    cohere: { base_url: url, api_key: 'cohere-key' },
    deepseek: { base_url: url, api_key: 'deepseek-key' },
    xai: { base_url: url, api_key: 'xai-key' },
    perplexity: { base_url: url, api_key: 'pplx-key' },
    openrouter: { base_url: url, api_key: 'or-key' },
    cerebras: { base_url: url, api_key: 'cerebras-key' },
    together: { base_url: url, api_key: 'together-key' },
    fireworks: { base_url: url, api_key: 'fw-key' },
    huggingface: { base_url: url, api_key: 'hf-key' },
    ollama: { base_url: url },
    custom: { acme: { base_url: url, api_key: 'acme-key' } },
  };
}

/** Path and query string of a fixture's request path. */
export function splitPath(path: string): { path: string; search: string } {
  const q = path.indexOf('?');
  return q < 0 ? { path, search: '' } : { path: path.slice(0, q), search: path.slice(q) };
}

/** Decode a stream with the format's own decoder, pushed in uneven pieces. */
export function decodeAll(format: WireFormat, bytes: Buffer): StreamEvent[] {
  const decoder = format.stream.decoder();
  const events: StreamEvent[] = [];
  let at = 0;
  for (let size = 1; at < bytes.length; size = (size % 13) + 1) {
    events.push(...decoder.push(bytes.subarray(at, at + size)));
    at += size;
  }
  return events;
}

export interface Reassembled extends ChatExpectation {
  usage: JsonObject | undefined;
}

/** OpenAI chat.completion chunks -> the answer they spell. */
export function reassembleChunks(chunks: JsonObject[]): Reassembled {
  let text = '';
  let reasoning = '';
  let finish = '';
  let usage: JsonObject | undefined;
  const calls: Array<{ id: string; name: string; args: string }> = [];
  for (const c of chunks) {
    // OpenAI's place for usage, or Groq's own (x_groq.usage) when its chunks are relayed as they are.
    usage = usageObjectOf(c) ?? usage;
    const choice = Array.isArray(c.choices) && isObject(c.choices[0]) ? c.choices[0] : undefined;
    if (!choice) continue;
    if (typeof choice.finish_reason === 'string') finish = choice.finish_reason;
    const d = isObject(choice.delta) ? choice.delta : {};
    if (typeof d.content === 'string') text += d.content;
    if (typeof d.reasoning_content === 'string') reasoning += d.reasoning_content;
    for (const tc of Array.isArray(d.tool_calls) ? d.tool_calls : []) {
      if (!isObject(tc)) continue;
      const i = typeof tc.index === 'number' ? tc.index : 0;
      const f = isObject(tc.function) ? tc.function : {};
      const call = (calls[i] ??= { id: '', name: '', args: '' });
      if (typeof tc.id === 'string') call.id = tc.id;
      if (typeof f.name === 'string') call.name = f.name;
      if (typeof f.arguments === 'string') call.args += f.arguments;
    }
  }
  return {
    text, reasoning, finish_reason: finish, usage,
    tool_calls: calls.map((c) => ({ id: c.id, name: c.name, arguments: (tryParse(c.args) ?? {}) as JsonObject })),
  };
}

/** An OpenAI chat.completion -> the same shape as reassembleChunks. */
export function fromCompletion(c: Json): Reassembled {
  const r = isObject(c) ? c : {};
  const choice = Array.isArray(r.choices) && isObject(r.choices[0]) ? r.choices[0] : {};
  const m = isObject(choice.message) ? choice.message : {};
  return {
    text: typeof m.content === 'string' ? m.content : '',
    reasoning: typeof m.reasoning_content === 'string' ? m.reasoning_content : '',
    finish_reason: String(choice.finish_reason ?? ''),
    usage: isObject(r.usage) ? r.usage : undefined,
    tool_calls: (Array.isArray(m.tool_calls) ? m.tool_calls : []).flatMap((t) => (isObject(t) && isObject(t.function)
      ? [{ id: String(t.id ?? ''), name: String(t.function.name ?? ''), arguments: (tryParse(String(t.function.arguments ?? '')) ?? {}) as JsonObject }] : [])),
  };
}

export interface AnthropicAnswer {
  text: string;
  thinking: string;
  tools: Array<{ id: string; name: string; input: Json }>;
  stop_reason: string;
  usage: JsonObject;
}

/** An Anthropic event stream (SSE text) -> the message it spells. */
export function reassembleAnthropic(sse: string): AnthropicAnswer {
  const out: AnthropicAnswer = { text: '', thinking: '', tools: [], stop_reason: '', usage: {} };
  const partial = new Map<number, { id: string; name: string; json: string }>();
  for (const ev of new SseParser().push(Buffer.from(sse))) {
    const d = tryParse(ev.data);
    if (!isObject(d)) continue;
    if (d.type === 'message_start' && isObject(d.message) && isObject(d.message.usage)) out.usage = { ...d.message.usage };
    if (d.type === 'content_block_start' && isObject(d.content_block) && d.content_block.type === 'tool_use') {
      partial.set(Number(d.index), { id: String(d.content_block.id), name: String(d.content_block.name), json: '' });
    }
    if (d.type === 'content_block_delta' && isObject(d.delta)) {
      if (d.delta.type === 'text_delta') out.text += String(d.delta.text);
      if (d.delta.type === 'thinking_delta') out.thinking += String(d.delta.thinking);
      if (d.delta.type === 'input_json_delta') {
        const p = partial.get(Number(d.index));
        if (p) p.json += String(d.delta.partial_json);
      }
    }
    if (d.type === 'message_delta') {
      if (isObject(d.delta)) out.stop_reason = String(d.delta.stop_reason);
      if (isObject(d.usage)) out.usage = { ...out.usage, ...d.usage };
    }
  }
  out.tools = [...partial.values()].map((p) => ({ id: p.id, name: p.name, input: tryParse(p.json || '{}') ?? {} }));
  return out;
}

/** An Anthropic message object -> the same shape. */
export function fromAnthropicMessage(m: Json): AnthropicAnswer {
  const r = isObject(m) ? m : {};
  const blocks = (Array.isArray(r.content) ? r.content : []).filter(isObject);
  return {
    text: blocks.filter((b) => b.type === 'text').map((b) => String(b.text)).join(''),
    thinking: blocks.filter((b) => b.type === 'thinking').map((b) => String(b.thinking)).join(''),
    tools: blocks.filter((b) => b.type === 'tool_use').map((b) => ({ id: String(b.id), name: String(b.name), input: b.input ?? {} })),
    stop_reason: String(r.stop_reason ?? ''),
    usage: isObject(r.usage) ? r.usage : {},
  };
}

/** The OpenAI usage object an expected normalized usage must appear as. */
export function expectedOpenAiUsage(u: Usage): { prompt_tokens: number; completion_tokens: number } {
  return { prompt_tokens: u.input_tokens + u.cached_input_tokens + u.cache_write_tokens, completion_tokens: u.output_tokens };
}

/** The normalized usage of an OpenAI usage object (for checks). */
export function normalizedOf(u: JsonObject | undefined): Usage | undefined {
  return openaiUsage(u);
}

export type { Fixture };

/** One provider bound to the test config (optionally with its entry replaced). */
export function testProvider(id: string, entry?: unknown, url = 'https://upstream.test'): ConfiguredProvider {
  const cfg = testProvidersConfig(url);
  if (entry !== undefined) cfg[id] = entry;
  const p = configureProviders(ProvidersConfigSchema.parse(cfg)).get(id);
  if (!p) throw new Error(`${id} is not configured`);
  return p;
}
