// OpenAI chat completions <-> Cohere v2 /chat (messages, tools and tool calls share OpenAI's shapes).
import { ChunkWriter, completion, jsonMode, openaiError, stopList, type ToolCallOut } from '../shared/openai-shapes.ts';
import { count, isObject, tryParse, type ChatCodec, type EmbeddingsCodec, type Json, type JsonObject } from '../types.ts';
import { cohereUsage, cohereUsageOf } from './format.ts';

const FINISH: Record<string, string> = { COMPLETE: 'stop', STOP_SEQUENCE: 'stop', MAX_TOKENS: 'length', TOOL_CALL: 'tool_calls', ERROR: 'stop', TIMEOUT: 'stop' };

function messages(list: Json[]): JsonObject[] {
  return list.flatMap((m): JsonObject[] => {
    if (!isObject(m)) return [];
    const role = m.role === 'developer' ? 'system' : m.role;
    if (role === 'tool') return [{ role, tool_call_id: String(m.tool_call_id ?? ''), content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? '') }];
    const out: JsonObject = { role: String(role), content: m.content ?? '' };
    if (Array.isArray(m.tool_calls) && m.tool_calls.length) out.tool_calls = m.tool_calls;
    return [out];
  });
}

export function toCohereRequest(body: JsonObject, model: string): JsonObject {
  const json = jsonMode(body.response_format);
  const stop = stopList(body.stop);
  const max = count(body.max_completion_tokens ?? body.max_tokens);
  const choice = body.tool_choice === 'required' ? 'REQUIRED' : body.tool_choice === 'none' ? 'NONE' : undefined;
  return {
    model,
    messages: messages(Array.isArray(body.messages) ? body.messages : []),
    ...(Array.isArray(body.tools) && body.tools.length ? { tools: body.tools } : {}),
    ...(choice ? { tool_choice: choice } : {}),
    ...(max ? { max_tokens: max } : {}),
    ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
    ...(typeof body.top_p === 'number' ? { p: body.top_p } : {}),
    ...(stop ? { stop_sequences: stop } : {}),
    ...(json ? { response_format: { type: 'json_object', ...(json.schema ? { json_schema: json.schema } : {}) } } : {}),
    ...(body.stream === true ? { stream: true } : {}),
  };
}

export function fromCohereResponse(json: Json, model: string): JsonObject {
  const r = isObject(json) ? json : {};
  const msg = isObject(r.message) ? r.message : {};
  let text = '';
  let reasoning = '';
  for (const c of Array.isArray(msg.content) ? msg.content : []) {
    if (isObject(c) && c.type === 'text' && typeof c.text === 'string') text += c.text;
    if (isObject(c) && c.type === 'thinking' && typeof c.thinking === 'string') reasoning += c.thinking;
  }
  const toolCalls: ToolCallOut[] = (Array.isArray(msg.tool_calls) ? msg.tool_calls : []).flatMap((c) =>
    isObject(c) && isObject(c.function) ? [{ id: String(c.id ?? ''), name: String(c.function.name ?? ''), arguments: String(c.function.arguments ?? '{}') }] : []);
  return completion({
    id: String(r.id ?? ''), model, text, reasoning: reasoning || (typeof msg.tool_plan === 'string' ? msg.tool_plan : ''), toolCalls,
    finishReason: FINISH[String(r.finish_reason)] ?? 'stop',
    usage: cohereUsageOf(r),
  });
}

function cohereChunks(model: string) {
  const w = new ChunkWriter('', model);
  return {
    onEvent(ev: { data: string }): JsonObject[] {
      const data = tryParse(ev.data);
      if (!isObject(data)) return [];
      const msg = isObject(data.delta) && isObject(data.delta.message) ? data.delta.message : {};
      const index = count(data.index);
      switch (data.type) {
        case 'message-start':
          w.id = String(data.id ?? '');
          return [w.delta({ role: 'assistant', content: '' })];
        case 'content-delta': {
          const c = isObject(msg.content) ? msg.content : {};
          if (typeof c.thinking === 'string') return [w.delta({ reasoning_content: c.thinking })];
          return typeof c.text === 'string' ? [w.delta({ content: c.text })] : [];
        }
        case 'tool-plan-delta':
          return typeof msg.tool_plan === 'string' ? [w.delta({ reasoning_content: msg.tool_plan })] : [];
        case 'tool-call-start': {
          const c = isObject(msg.tool_calls) ? msg.tool_calls : {};
          const f = isObject(c.function) ? c.function : {};
          return [w.toolStart(index, String(c.id ?? ''), String(f.name ?? ''), String(f.arguments ?? ''))];
        }
        case 'tool-call-delta': {
          const c = isObject(msg.tool_calls) ? msg.tool_calls : {};
          const f = isObject(c.function) ? c.function : {};
          return typeof f.arguments === 'string' ? [w.toolArgs(index, f.arguments)] : [];
        }
        case 'message-end': {
          const d = isObject(data.delta) ? data.delta : {};
          if (typeof d.error === 'string') return [openaiError(d.error, 'upstream_error')];
          const out = [w.delta({}, FINISH[String(d.finish_reason)] ?? 'stop')];
          const u = cohereUsage(d.usage);
          if (u) out.push(w.usage(u));
          return out;
        }
        default:
          return [];
      }
    },
  };
}

export function fromCohereError(json: Json | undefined, status: number): JsonObject {
  return openaiError(isObject(json) && typeof json.message === 'string' ? json.message : `upstream answered ${status}`, status === 429 ? 'rate_limit_error' : 'upstream_error');
}

export const cohereChat: ChatCodec = {
  request: (body, model) => ({ path: '/v2/chat', body: toCohereRequest(body, model), stream: body.stream === true }),
  response: fromCohereResponse,
  stream: cohereChunks,
  error: fromCohereError,
};

export const cohereEmbeddings: EmbeddingsCodec = {
  request(body, model) {
    const texts = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input.filter((x): x is string => typeof x === 'string') : [];
    const dims = count(body.dimensions);
    return { path: '/v2/embed', body: { model, texts, input_type: 'search_document', embedding_types: ['float'], ...(dims ? { output_dimension: dims } : {}) }, stream: false };
  },
  response(json, model) {
    const r = isObject(json) ? json : {};
    const vectors = isObject(r.embeddings) && Array.isArray(r.embeddings.float) ? r.embeddings.float : [];
    const tokens = cohereUsageOf(r)?.input_tokens ?? 0;
    return { object: 'list', data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })), model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  },
  error: fromCohereError,
};
