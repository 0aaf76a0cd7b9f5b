// Building OpenAI chat objects (the pivot format) from any provider's answer.
import { isObject, tryParse, type Json, type JsonObject, type Usage } from '../types.ts';

/** Normalized usage -> an OpenAI usage object (prompt includes cached reads and writes). */
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

export interface ToolCallOut {
  id: string;
  name: string;
  /** JSON text of the arguments. */
  arguments: string;
}

export interface CompletionParts {
  id: string;
  model: string;
  text: string;
  reasoning?: string;
  toolCalls: ToolCallOut[];
  finishReason: string;
  usage: Usage | undefined;
}

/** An OpenAI chat.completion object. */
export function completion(p: CompletionParts): JsonObject {
  const message: JsonObject = { role: 'assistant', content: p.text || (p.toolCalls.length ? null : '') };
  if (p.reasoning) message.reasoning_content = p.reasoning;
  if (p.toolCalls.length) {
    message.tool_calls = p.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  }
  return {
    id: p.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: p.model,
    choices: [{ index: 0, message, finish_reason: p.finishReason }],
    ...(p.usage ? { usage: openaiUsageObject(p.usage) } : {}),
  };
}

/** Stamps chunks of one stream with its id, model and creation time. */
export class ChunkWriter {
  id: string;
  model: string;
  readonly created = Math.floor(Date.now() / 1000);
  constructor(id: string, model: string) {
    this.id = id;
    this.model = model;
  }
  delta(delta: JsonObject, finish: string | null = null): JsonObject {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }
  usage(u: Usage): JsonObject {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: openaiUsageObject(u) };
  }
  toolStart(index: number, id: string, name: string, args = ''): JsonObject {
    return this.delta({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: args } }] });
  }
  toolArgs(index: number, args: string): JsonObject {
    return this.delta({ tool_calls: [{ index, function: { arguments: args } }] });
  }
}

/** An OpenAI error object. */
export function openaiError(message: string, type: string, code: string | null = null): JsonObject {
  return { error: { message, type, param: null, code } };
}

/** Text of OpenAI message content (a string or text parts). */
export function textOf(content: Json | undefined): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  return '';
}

/** An OpenAI image part's URL split into a base64 payload or a plain URL. */
export type ImageRef = { mediaType: string; data: string } | { url: string };

export function imageOf(part: JsonObject): ImageRef | undefined {
  const url = isObject(part.image_url) ? part.image_url.url : part.image_url;
  if (typeof url !== 'string') return undefined;
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (m) return { mediaType: m[1] as string, data: m[2] as string };
  return { url };
}

/**
 * OpenAI message content (a string, or text and image_url parts) as a provider's blocks, part by
 * part; other part types are dropped. `image` gets undefined for an image_url part without a URL.
 */
export function contentParts(
  content: Json | undefined,
  to: { text(text: string): JsonObject; image(img: ImageRef | undefined): JsonObject | undefined },
): JsonObject[] {
  if (typeof content === 'string') return content ? [to.text(content)] : [];
  if (!Array.isArray(content)) return [];
  return content.flatMap((p): JsonObject[] => {
    if (!isObject(p)) return [];
    if (p.type === 'text' && typeof p.text === 'string') return [to.text(p.text)];
    if (p.type !== 'image_url') return [];
    const block = to.image(imageOf(p));
    return block ? [block] : [];
  });
}

/** Tool-call arguments (JSON text) as an object; {} when they are not a JSON object. */
export function argsObject(text: Json | undefined): JsonObject {
  const parsed = typeof text === 'string' ? tryParse(text) : text;
  return isObject(parsed) ? parsed : {};
}

/** OpenAI tools -> [{name, description?, parameters}]. */
export function functionsOf(tools: Json | undefined): Array<{ name: string; description?: string; parameters: JsonObject }> {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((t) => {
    if (!isObject(t) || !isObject(t.function)) return [];
    const f = t.function;
    return [{
      name: String(f.name ?? ''),
      ...(typeof f.description === 'string' ? { description: f.description } : {}),
      parameters: isObject(f.parameters) ? f.parameters : { type: 'object', properties: {} },
    }];
  });
}

/** OpenAI stop (string or list) as a list. */
export function stopList(stop: Json | undefined): string[] | undefined {
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop)) return stop.filter((s): s is string => typeof s === 'string');
  return undefined;
}

/** The JSON schema a response_format asks for, or 'json' for plain JSON mode. */
export function jsonMode(format: Json | undefined): { schema?: JsonObject; name: string } | undefined {
  if (!isObject(format)) return undefined;
  if (format.type === 'json_object') return { name: 'json' };
  if (format.type === 'json_schema' && isObject(format.json_schema)) {
    const s = format.json_schema;
    return { name: typeof s.name === 'string' ? s.name : 'json', ...(isObject(s.schema) ? { schema: s.schema } : {}) };
  }
  return undefined;
}

/** The tool_call_id -> function name map of a conversation (providers that answer tools by name). */
export function toolNames(messages: Json[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) {
    if (!isObject(m) || !Array.isArray(m.tool_calls)) continue;
    for (const c of m.tool_calls) {
      if (isObject(c) && isObject(c.function)) names.set(String(c.id ?? ''), String(c.function.name ?? ''));
    }
  }
  return names;
}
