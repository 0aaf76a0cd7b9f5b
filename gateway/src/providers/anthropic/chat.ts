// OpenAI chat completions <-> Anthropic Messages, both directions, streaming included. JSON mode
// (response_format) becomes one forced tool whose input is the answer, as Anthropic recommends.
import {
  argsObject, ChunkWriter, completion, contentParts, functionsOf, jsonMode, openaiError, stopList, textOf, type ToolCallOut,
} from '../shared/openai-shapes.ts';
import { count, isObject, tryParse, type ChatCodec, type Json, type JsonObject } from '../types.ts';
import { AnthropicUsageTracker } from './format.ts';
import { anthropicUsage } from './usage.ts';

const DEFAULT_MAX_TOKENS = 4096;
/** The tool that carries a JSON-mode answer. */
export const JSON_TOOL = 'json_response';

export const STOP_REASONS: Record<string, string> = {
  end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls', pause_turn: 'stop', refusal: 'content_filter',
};

function contentBlocks(content: Json | undefined): JsonObject[] {
  return contentParts(content, {
    text: (text) => ({ type: 'text', text }),
    image(img) {
      if (!img) return undefined;
      const source: JsonObject = 'url' in img ? { type: 'url', url: img.url } : { type: 'base64', media_type: img.mediaType, data: img.data };
      return { type: 'image', source };
    },
  });
}

function toAnthropicMessages(messages: Json[]): { system?: string; messages: JsonObject[] } {
  const system: string[] = [];
  const out: JsonObject[] = [];
  const push = (role: 'user' | 'assistant', blocks: JsonObject[]) => {
    const prev = out.at(-1);
    // Anthropic requires alternating roles: merge consecutive same-role turns (e.g. tool results).
    if (prev && prev.role === role && Array.isArray(prev.content)) (prev.content as Json[]).push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (!isObject(m)) continue;
    if (m.role === 'system' || m.role === 'developer') system.push(textOf(m.content));
    else if (m.role === 'user') push('user', contentBlocks(m.content));
    else if (m.role === 'assistant') {
      const blocks = contentBlocks(m.content);
      for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
        if (!isObject(call) || !isObject(call.function)) continue;
        blocks.push({ type: 'tool_use', id: String(call.id ?? ''), name: String(call.function.name ?? ''), input: argsObject(call.function.arguments) });
      }
      push('assistant', blocks);
    } else if (m.role === 'tool') {
      push('user', [{ type: 'tool_result', tool_use_id: String(m.tool_call_id ?? ''), content: textOf(m.content) }]);
    }
  }
  return { ...(system.length ? { system: system.join('\n\n') } : {}), messages: out };
}

function toolChoice(choice: Json | undefined): JsonObject | undefined {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') return { type: 'tool', name: choice.function.name };
  return undefined;
}

/** The OpenAI request as an Anthropic Messages body (model included). */
export function toAnthropicRequest(body: JsonObject, model: string): JsonObject {
  const { system, messages } = toAnthropicMessages(Array.isArray(body.messages) ? body.messages : []);
  const tools: JsonObject[] = functionsOf(body.tools).map((f) => ({ name: f.name, ...(f.description ? { description: f.description } : {}), input_schema: f.parameters }));
  let choice = toolChoice(body.tool_choice);
  const json = jsonMode(body.response_format);
  if (json) {
    tools.push({ name: JSON_TOOL, description: 'Answer with this tool: its input is the JSON answer.', input_schema: json.schema ?? { type: 'object' } });
    choice = { type: 'tool', name: JSON_TOOL };
  }
  const stop = stopList(body.stop);
  return {
    model,
    max_tokens: count(body.max_completion_tokens ?? body.max_tokens) || DEFAULT_MAX_TOKENS,
    messages,
    ...(system !== undefined ? { system } : {}),
    ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
    ...(typeof body.top_p === 'number' ? { top_p: body.top_p } : {}),
    ...(stop ? { stop_sequences: stop } : {}),
    ...(tools.length ? { tools } : {}),
    ...(choice ? { tool_choice: choice } : {}),
    ...(typeof body.user === 'string' ? { metadata: { user_id: body.user } } : {}),
    ...(body.stream === true ? { stream: true } : {}),
  };
}

/** An Anthropic message object -> an OpenAI chat.completion. */
export function fromAnthropicMessage(json: Json, model: string): JsonObject {
  const msg = isObject(json) ? json : {};
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCallOut[] = [];
  for (const b of Array.isArray(msg.content) ? msg.content : []) {
    if (!isObject(b)) continue;
    if (b.type === 'text' && typeof b.text === 'string') text += b.text;
    else if (b.type === 'thinking' && typeof b.thinking === 'string') reasoning += b.thinking;
    else if (b.type === 'tool_use' && b.name === JSON_TOOL) text += JSON.stringify(b.input ?? {});
    else if (b.type === 'tool_use') toolCalls.push({ id: String(b.id ?? ''), name: String(b.name ?? ''), arguments: JSON.stringify(b.input ?? {}) });
  }
  const jsonAnswer = Array.isArray(msg.content) && msg.content.some((b) => isObject(b) && b.name === JSON_TOOL);
  return completion({
    id: String(msg.id ?? ''),
    model: typeof msg.model === 'string' ? msg.model : model,
    text,
    reasoning,
    toolCalls,
    finishReason: jsonAnswer ? 'stop' : STOP_REASONS[String(msg.stop_reason)] ?? 'stop',
    usage: anthropicUsage(msg.usage),
  });
}

/** Anthropic stream events -> OpenAI chunks. */
function anthropicChunks(model: string) {
  const w = new ChunkWriter('', model);
  const usage = new AnthropicUsageTracker();
  // Anthropic numbers content blocks; OpenAI numbers tool calls. Map one to the other.
  const toolIndex = new Map<number, number>();
  const jsonBlocks = new Set<number>();
  let jsonAnswer = false;
  return {
    onEvent(ev: { data: string }): JsonObject[] {
      const data = tryParse(ev.data);
      if (!isObject(data)) return [];
      usage.feed(data);
      switch (data.type) {
        case 'message_start': {
          const m = isObject(data.message) ? data.message : {};
          w.id = String(m.id ?? '');
          if (typeof m.model === 'string') w.model = m.model;
          return [w.delta({ role: 'assistant', content: '' })];
        }
        case 'content_block_start': {
          const b = isObject(data.content_block) ? data.content_block : {};
          if (b.type !== 'tool_use') return [];
          if (b.name === JSON_TOOL) {
            jsonBlocks.add(count(data.index));
            jsonAnswer = true;
            return [];
          }
          const index = toolIndex.size;
          toolIndex.set(count(data.index), index);
          return [w.toolStart(index, String(b.id ?? ''), String(b.name ?? ''))];
        }
        case 'content_block_delta': {
          const d = isObject(data.delta) ? data.delta : {};
          if (d.type === 'text_delta') return [w.delta({ content: String(d.text ?? '') })];
          if (d.type === 'thinking_delta') return [w.delta({ reasoning_content: String(d.thinking ?? '') })];
          if (d.type !== 'input_json_delta') return [];
          const part = String(d.partial_json ?? '');
          if (jsonBlocks.has(count(data.index))) return part ? [w.delta({ content: part })] : [];
          return [w.toolArgs(toolIndex.get(count(data.index)) ?? 0, part)];
        }
        case 'message_delta': {
          const d = isObject(data.delta) ? data.delta : {};
          return [w.delta({}, jsonAnswer ? 'stop' : STOP_REASONS[String(d.stop_reason)] ?? 'stop')];
        }
        case 'message_stop':
          return usage.current ? [w.usage(usage.current)] : [];
        case 'error': {
          const e = isObject(data.error) ? data.error : {};
          return [openaiError(String(e.message ?? 'upstream stream error'), String(e.type ?? 'upstream_error'), String(e.type ?? 'upstream_error'))];
        }
        default:
          return [];
      }
    },
  };
}

/** An Anthropic error body -> an OpenAI error object. */
export function fromAnthropicError(json: Json | undefined, status: number): JsonObject {
  const e = isObject(json) && isObject(json.error) ? json.error : undefined;
  const type = typeof e?.type === 'string' ? e.type : 'upstream_error';
  return openaiError(typeof e?.message === 'string' ? e.message : `upstream answered ${status}`, type, typeof e?.type === 'string' ? e.type : null);
}

export interface AnthropicTarget {
  /** Path of a call (the model may be part of it, as on Vertex AI). */
  path(model: string, stream: boolean): string;
  /** Final touches to the body (e.g. anthropic_version in the body, no model, on Vertex AI and Bedrock). */
  adapt?(body: JsonObject): JsonObject;
}

/** The chat codec of an upstream that speaks Anthropic Messages at `target`. */
export function anthropicChat(target: string | AnthropicTarget): ChatCodec {
  const t: AnthropicTarget = typeof target === 'string' ? { path: () => target } : target;
  return {
    request(body, model) {
      const out = toAnthropicRequest(body, model);
      const stream = body.stream === true;
      return { path: t.path(model, stream), body: t.adapt ? t.adapt(out) : out, stream };
    },
    response: fromAnthropicMessage,
    stream: anthropicChunks,
    error: fromAnthropicError,
  };
}
