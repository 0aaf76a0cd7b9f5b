// OpenAI chat completions <-> Bedrock Converse / ConverseStream (every Bedrock chat model, one API).
// JSON mode becomes one forced tool whose input is the answer (Converse has no JSON mode).
import { GatewayError } from '../../errors.ts';
import {
  argsObject, ChunkWriter, completion, contentParts, functionsOf, jsonMode, openaiError, stopList, textOf, type ToolCallOut,
} from '../shared/openai-shapes.ts';
import { count, isObject, tryParse, type ChatCodec, type EmbeddingsCodec, type Json, type JsonObject } from '../types.ts';
import { converseUsage } from './format.ts';

const JSON_TOOL = 'json_response';
const STOP: Record<string, string> = {
  end_turn: 'stop', stop_sequence: 'stop', tool_use: 'tool_calls', max_tokens: 'length', guardrail_intervened: 'content_filter', content_filtered: 'content_filter',
};
const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);

function blocks(content: Json | undefined): JsonObject[] {
  return contentParts(content, {
    text: (text) => ({ text }),
    image(img) {
      // Converse takes image bytes only, no URLs.
      if (!img || 'url' in img) throw new GatewayError('SWY_BAD_REQUEST', 'Bedrock Converse takes images as data: URLs only');
      const format = img.mediaType.replace(/^image\//, '').replace('jpg', 'jpeg');
      if (!IMAGE_FORMATS.has(format)) throw new GatewayError('SWY_BAD_REQUEST', `Bedrock Converse does not take ${img.mediaType} images`);
      return { image: { format, source: { bytes: img.data } } };
    },
  });
}

function messagesOf(list: Json[]): { system: JsonObject[]; messages: JsonObject[] } {
  const system: JsonObject[] = [];
  const out: JsonObject[] = [];
  const push = (role: 'user' | 'assistant', content: JsonObject[]) => {
    const prev = out.at(-1);
    if (prev && prev.role === role && Array.isArray(prev.content)) (prev.content as Json[]).push(...content);
    else out.push({ role, content });
  };
  for (const m of list) {
    if (!isObject(m)) continue;
    if (m.role === 'system' || m.role === 'developer') system.push({ text: textOf(m.content) });
    else if (m.role === 'user') push('user', blocks(m.content));
    else if (m.role === 'assistant') {
      const c = blocks(m.content);
      for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
        if (isObject(call) && isObject(call.function)) {
          c.push({ toolUse: { toolUseId: String(call.id ?? ''), name: String(call.function.name ?? ''), input: argsObject(call.function.arguments) } });
        }
      }
      push('assistant', c);
    } else if (m.role === 'tool') {
      push('user', [{ toolResult: { toolUseId: String(m.tool_call_id ?? ''), content: [{ text: textOf(m.content) }] } }]);
    }
  }
  return { system, messages: out };
}

/** An OpenAI chat request as a Converse request body. */
export function toConverseRequest(body: JsonObject): JsonObject {
  const { system, messages } = messagesOf(Array.isArray(body.messages) ? body.messages : []);
  const max = count(body.max_completion_tokens ?? body.max_tokens);
  const stop = stopList(body.stop);
  const inferenceConfig: JsonObject = {
    ...(max ? { maxTokens: max } : {}),
    ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
    ...(typeof body.top_p === 'number' ? { topP: body.top_p } : {}),
    ...(stop ? { stopSequences: stop } : {}),
  };
  const tools: JsonObject[] = body.tool_choice === 'none' ? [] : functionsOf(body.tools).map((f) => ({
    toolSpec: { name: f.name, ...(f.description ? { description: f.description } : {}), inputSchema: { json: f.parameters } },
  }));
  let choice: JsonObject | undefined =
    body.tool_choice === 'required' ? { any: {} }
    : body.tool_choice === 'auto' ? { auto: {} }
    : isObject(body.tool_choice) && isObject(body.tool_choice.function) ? { tool: { name: String(body.tool_choice.function.name ?? '') } }
    : undefined;
  const json = jsonMode(body.response_format);
  if (json) {
    tools.push({ toolSpec: { name: JSON_TOOL, description: 'Answer with this tool: its input is the JSON answer.', inputSchema: { json: json.schema ?? { type: 'object' } } } });
    choice = { tool: { name: JSON_TOOL } };
  }
  return {
    messages,
    ...(system.length ? { system } : {}),
    ...(Object.keys(inferenceConfig).length ? { inferenceConfig } : {}),
    ...(tools.length ? { toolConfig: { tools, ...(choice ? { toolChoice: choice } : {}) } } : {}),
  };
}

export function fromConverseResponse(json: Json, model: string): JsonObject {
  const r = isObject(json) ? json : {};
  const msg = isObject(r.output) && isObject(r.output.message) ? r.output.message : {};
  let text = '';
  let reasoning = '';
  let jsonAnswer = false;
  const toolCalls: ToolCallOut[] = [];
  for (const b of Array.isArray(msg.content) ? msg.content : []) {
    if (!isObject(b)) continue;
    if (typeof b.text === 'string') text += b.text;
    else if (isObject(b.reasoningContent) && isObject(b.reasoningContent.reasoningText)) reasoning += String(b.reasoningContent.reasoningText.text ?? '');
    else if (isObject(b.toolUse) && b.toolUse.name === JSON_TOOL) {
      jsonAnswer = true;
      text += JSON.stringify(b.toolUse.input ?? {});
    } else if (isObject(b.toolUse)) {
      toolCalls.push({ id: String(b.toolUse.toolUseId ?? ''), name: String(b.toolUse.name ?? ''), arguments: JSON.stringify(b.toolUse.input ?? {}) });
    }
  }
  return completion({
    id: '', model, text, reasoning, toolCalls,
    finishReason: jsonAnswer ? 'stop' : STOP[String(r.stopReason)] ?? 'stop',
    usage: converseUsage(r.usage),
  });
}

function converseChunks(model: string) {
  const w = new ChunkWriter('', model);
  const toolIndex = new Map<number, number>();
  const jsonBlocks = new Set<number>();
  return {
    onEvent(ev: { event: string | undefined; data: string }): JsonObject[] {
      const data = tryParse(ev.data);
      if (!isObject(data)) return [];
      const block = count(data.contentBlockIndex);
      switch (ev.event) {
        case 'messageStart':
          return [w.delta({ role: 'assistant', content: '' })];
        case 'contentBlockStart': {
          const tool = isObject(data.start) && isObject(data.start.toolUse) ? data.start.toolUse : undefined;
          if (!tool) return [];
          if (tool.name === JSON_TOOL) {
            jsonBlocks.add(block);
            return [];
          }
          const index = toolIndex.size;
          toolIndex.set(block, index);
          return [w.toolStart(index, String(tool.toolUseId ?? ''), String(tool.name ?? ''))];
        }
        case 'contentBlockDelta': {
          const d = isObject(data.delta) ? data.delta : {};
          if (typeof d.text === 'string') return [w.delta({ content: d.text })];
          if (isObject(d.reasoningContent) && typeof d.reasoningContent.text === 'string') return [w.delta({ reasoning_content: d.reasoningContent.text })];
          if (isObject(d.toolUse) && typeof d.toolUse.input === 'string') {
            if (jsonBlocks.has(block)) return [w.delta({ content: d.toolUse.input })];
            return [w.toolArgs(toolIndex.get(block) ?? 0, d.toolUse.input)];
          }
          return [];
        }
        case 'messageStop':
          return [w.delta({}, jsonBlocks.size ? 'stop' : STOP[String(data.stopReason)] ?? 'stop')];
        case 'metadata': {
          const u = converseUsage(data.usage);
          return u ? [w.usage(u)] : [];
        }
        default:
          // Exceptions (throttlingException, modelStreamErrorException…) carry {message}.
          return typeof data.message === 'string' ? [openaiError(data.message, String(ev.event ?? 'bedrock_error'), String(ev.event ?? null))] : [];
      }
    },
  };
}

export function fromBedrockError(json: Json | undefined, status: number): JsonObject {
  const message = isObject(json) && typeof json.message === 'string' ? json.message : isObject(json) && typeof json.Message === 'string' ? json.Message : `upstream answered ${status}`;
  return openaiError(message, status === 429 ? 'throttling_error' : status >= 500 ? 'server_error' : 'invalid_request_error');
}

const modelPath = (model: string, op: string) => `/model/${encodeURIComponent(model)}/${op}`;

export const converseChat: ChatCodec = {
  request(body, model) {
    const stream = body.stream === true;
    return { path: modelPath(model, stream ? 'converse-stream' : 'converse'), body: toConverseRequest(body), stream };
  },
  response: fromConverseResponse,
  stream: converseChunks,
  error: fromBedrockError,
};

/** OpenAI embeddings <-> Titan Text Embeddings (InvokeModel: one input per call). */
export const titanEmbeddings: EmbeddingsCodec = {
  request(body, model) {
    const input = Array.isArray(body.input) && body.input.length === 1 ? body.input[0] : body.input;
    if (typeof input !== 'string') throw new GatewayError('SWY_BAD_REQUEST', 'Bedrock Titan embeddings take one string input per request');
    const dims = count(body.dimensions);
    return { path: modelPath(model, 'invoke'), body: { inputText: input, ...(dims ? { dimensions: dims } : {}) }, stream: false };
  },
  response(json, model) {
    const r = isObject(json) ? json : {};
    const tokens = count(r.inputTextTokenCount);
    return { object: 'list', data: [{ object: 'embedding', index: 0, embedding: Array.isArray(r.embedding) ? r.embedding : [] }], model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  },
  error: fromBedrockError,
};
