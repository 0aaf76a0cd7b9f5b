// OpenAI chat completions <-> Anthropic Messages, both directions, streaming included.
import { formatSse } from '../../upstream/sse.ts';
import { openaiErrorBody } from '../openai/adapter.ts';
import { count, isObject, tryParse, type ChatTranslator, type Json, type JsonObject, type Usage } from '../types.ts';
import { anthropicUsage } from './usage.ts';

const DEFAULT_MAX_TOKENS = 4096;

const STOP_REASONS: Record<string, string> = {
  end_turn: 'stop', stop_sequence: 'stop', max_tokens: 'length', tool_use: 'tool_calls', pause_turn: 'stop', refusal: 'content_filter',
};

function textOf(content: Json | undefined): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  return '';
}

/** An OpenAI content part -> an Anthropic content block. */
function contentBlock(part: Json): JsonObject | undefined {
  if (!isObject(part)) return undefined;
  if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text };
  if (part.type === 'image_url') {
    const url = isObject(part.image_url) ? part.image_url.url : part.image_url;
    if (typeof url !== 'string') return undefined;
    const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    if (m) return { type: 'image', source: { type: 'base64', media_type: m[1] as string, data: m[2] as string } };
    return { type: 'image', source: { type: 'url', url } };
  }
  return undefined;
}

function contentBlocks(content: Json | undefined): JsonObject[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  if (Array.isArray(content)) return content.flatMap((p): JsonObject[] => { const b = contentBlock(p); return b ? [b] : []; });
  return [];
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
      if (Array.isArray(m.tool_calls)) {
        for (const call of m.tool_calls) {
          if (!isObject(call) || !isObject(call.function)) continue;
          const args = typeof call.function.arguments === 'string' ? tryParse(call.function.arguments) : undefined;
          blocks.push({ type: 'tool_use', id: String(call.id ?? ''), name: String(call.function.name ?? ''), input: isObject(args) ? args : {} });
        }
      }
      push('assistant', blocks);
    } else if (m.role === 'tool') {
      push('user', [{ type: 'tool_result', tool_use_id: String(m.tool_call_id ?? ''), content: textOf(m.content) }]);
    }
  }
  return { ...(system.length ? { system: system.join('\n\n') } : {}), messages: out };
}

function toAnthropicTools(tools: Json | undefined): JsonObject[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  return tools.flatMap((t) => {
    if (!isObject(t) || !isObject(t.function)) return [];
    const f = t.function;
    return [{
      name: String(f.name ?? ''),
      ...(typeof f.description === 'string' ? { description: f.description } : {}),
      input_schema: isObject(f.parameters) ? f.parameters : { type: 'object', properties: {} },
    }];
  });
}

function toAnthropicToolChoice(choice: Json | undefined): JsonObject | undefined {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') return { type: 'tool', name: choice.function.name };
  return undefined;
}

/** Normalized usage -> OpenAI usage object (prompt includes cached reads and writes). */
export function openaiUsageObject(u: Usage): JsonObject {
  const prompt = u.input_tokens + u.cached_input_tokens + u.cache_write_tokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output_tokens,
    total_tokens: prompt + u.output_tokens,
    prompt_tokens_details: { cached_tokens: u.cached_input_tokens },
    completion_tokens_details: { reasoning_tokens: u.reasoning_tokens },
  };
}

function chunk(id: string, model: string, created: number, delta: JsonObject, finish: string | null = null): string {
  return formatSse(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] }));
}

export const anthropicChat: ChatTranslator = {
  request(body, model) {
    const stream = body.stream === true;
    const { system, messages } = toAnthropicMessages(Array.isArray(body.messages) ? body.messages : []);
    const maxTokens = count(body.max_completion_tokens ?? body.max_tokens) || DEFAULT_MAX_TOKENS;
    const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop : undefined;
    const tools = toAnthropicTools(body.tools);
    const toolChoice = toAnthropicToolChoice(body.tool_choice);
    const out: JsonObject = {
      model,
      max_tokens: maxTokens,
      messages,
      ...(system !== undefined ? { system } : {}),
      ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
      ...(typeof body.top_p === 'number' ? { top_p: body.top_p } : {}),
      ...(stop ? { stop_sequences: stop } : {}),
      ...(tools?.length ? { tools } : {}),
      ...(toolChoice ? { tool_choice: toolChoice } : {}),
      ...(isObject(body.metadata) && typeof body.user === 'string' ? { metadata: { user_id: body.user } } : {}),
      ...(stream ? { stream: true } : {}),
    };
    return { path: '/v1/messages', body: out, stream };
  },

  response(json, model) {
    const msg = isObject(json) ? json : {};
    const blocks = Array.isArray(msg.content) ? msg.content : [];
    let text = '';
    const toolCalls: JsonObject[] = [];
    for (const b of blocks) {
      if (!isObject(b)) continue;
      if (b.type === 'text' && typeof b.text === 'string') text += b.text;
      if (b.type === 'tool_use') {
        toolCalls.push({ id: String(b.id ?? ''), type: 'function', function: { name: String(b.name ?? ''), arguments: JSON.stringify(b.input ?? {}) } });
      }
    }
    const usage = anthropicUsage(msg.usage);
    return {
      id: String(msg.id ?? ''),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: typeof msg.model === 'string' ? msg.model : model,
      choices: [{
        index: 0,
        message: { role: 'assistant', content: text || (toolCalls.length ? null : ''), ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: STOP_REASONS[String(msg.stop_reason)] ?? 'stop',
      }],
      ...(usage ? { usage: openaiUsageObject(usage) } : {}),
    };
  },

  stream(model, includeUsage) {
    let id = '';
    let created = Math.floor(Date.now() / 1000);
    let usage: Usage | undefined;
    let finish: string | null = null;
    // Anthropic numbers content blocks; OpenAI numbers tool calls. Map one to the other.
    const toolIndex = new Map<number, number>();
    return {
      onEvent(ev) {
        const data = tryParse(ev.data);
        if (!isObject(data)) return '';
        switch (data.type) {
          case 'message_start': {
            const m = isObject(data.message) ? data.message : {};
            id = String(m.id ?? '');
            if (typeof m.model === 'string') model = m.model;
            created = Math.floor(Date.now() / 1000);
            usage = anthropicUsage(m.usage);
            return chunk(id, model, created, { role: 'assistant', content: '' });
          }
          case 'content_block_start': {
            const b = isObject(data.content_block) ? data.content_block : {};
            if (b.type !== 'tool_use') return '';
            const index = toolIndex.size;
            toolIndex.set(count(data.index), index);
            return chunk(id, model, created, {
              tool_calls: [{ index, id: String(b.id ?? ''), type: 'function', function: { name: String(b.name ?? ''), arguments: '' } }],
            });
          }
          case 'content_block_delta': {
            const d = isObject(data.delta) ? data.delta : {};
            if (d.type === 'text_delta') return chunk(id, model, created, { content: String(d.text ?? '') });
            if (d.type === 'input_json_delta') {
              const index = toolIndex.get(count(data.index)) ?? 0;
              return chunk(id, model, created, { tool_calls: [{ index, function: { arguments: String(d.partial_json ?? '') } }] });
            }
            return '';
          }
          case 'message_delta': {
            const d = isObject(data.delta) ? data.delta : {};
            finish = STOP_REASONS[String(d.stop_reason)] ?? 'stop';
            const u = isObject(data.usage) ? data.usage : undefined;
            if (u && usage) {
              // message_delta carries cumulative output (and, on some versions, input) counts.
              usage = { ...usage, output_tokens: count(u.output_tokens) };
              if (u.input_tokens !== undefined) usage.input_tokens = count(u.input_tokens);
            }
            return chunk(id, model, created, {}, finish);
          }
          case 'message_stop':
            return includeUsage && usage
              ? formatSse(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: openaiUsageObject(usage) }))
              : '';
          case 'error': {
            const e = isObject(data.error) ? data.error : {};
            return formatSse(JSON.stringify(openaiErrorBody(String(e.type ?? 'upstream_error'), String(e.message ?? 'upstream stream error'))));
          }
          default:
            return '';
        }
      },
      end: () => formatSse('[DONE]'),
    };
  },

  error(json, status) {
    const e = isObject(json) && isObject(json.error) ? json.error : undefined;
    return {
      error: {
        message: typeof e?.message === 'string' ? e.message : `upstream answered ${status}`,
        type: typeof e?.type === 'string' ? e.type : 'upstream_error',
        param: null,
        code: typeof e?.type === 'string' ? e.type : null,
      },
    };
  },
};
