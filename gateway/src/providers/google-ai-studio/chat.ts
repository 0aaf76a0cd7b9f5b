// OpenAI chat completions <-> Gemini generateContent / streamGenerateContent (AI Studio and Vertex AI).
import {
  argsObject, ChunkWriter, completion, contentParts, functionsOf, jsonMode, openaiError, stopList, textOf, toolNames, type ToolCallOut,
} from '../shared/openai-shapes.ts';
import { count, isObject, tryParse, type ChatCodec, type EmbeddingsCodec, type Json, type JsonObject } from '../types.ts';
import { finishReasonOf, geminiUsage } from './format.ts';

const FINISH: Record<string, string> = {
  STOP: 'stop', MAX_TOKENS: 'length', SAFETY: 'content_filter', RECITATION: 'content_filter', BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter', SPII: 'content_filter', IMAGE_SAFETY: 'content_filter',
};

/** Gemini's function parameters are an OpenAPI subset: drop the JSON Schema keys it refuses. */
function schemaFor(v: Json): Json {
  if (Array.isArray(v)) return v.map(schemaFor);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (k !== '$schema' && k !== 'additionalProperties' && k !== 'strict') out[k] = schemaFor(x);
  return out;
}

function parts(content: Json | undefined): JsonObject[] {
  return contentParts(content, {
    text: (text) => ({ text }),
    image(img): JsonObject | undefined {
      if (!img) return undefined;
      if ('url' in img) return { fileData: { mimeType: 'image/*', fileUri: img.url } };
      return { inlineData: { mimeType: img.mediaType, data: img.data } };
    },
  });
}

function contents(messages: Json[]): { system: string[]; contents: JsonObject[] } {
  const names = toolNames(messages);
  const system: string[] = [];
  const out: JsonObject[] = [];
  const push = (role: 'user' | 'model', p: JsonObject[]) => {
    const prev = out.at(-1);
    if (prev && prev.role === role && Array.isArray(prev.parts)) (prev.parts as Json[]).push(...p);
    else out.push({ role, parts: p });
  };
  for (const m of messages) {
    if (!isObject(m)) continue;
    if (m.role === 'system' || m.role === 'developer') system.push(textOf(m.content));
    else if (m.role === 'user') push('user', parts(m.content));
    else if (m.role === 'assistant') {
      const p = parts(m.content);
      for (const c of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
        if (isObject(c) && isObject(c.function)) p.push({ functionCall: { name: String(c.function.name ?? ''), args: argsObject(c.function.arguments) } });
      }
      push('model', p);
    } else if (m.role === 'tool') {
      const text = textOf(m.content);
      const parsed = tryParse(text);
      const response = isObject(parsed) ? parsed : { content: text };
      push('user', [{ functionResponse: { name: names.get(String(m.tool_call_id ?? '')) ?? '', response } }]);
    }
  }
  return { system, contents: out };
}

function toolConfig(choice: Json | undefined): JsonObject | undefined {
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  }
  return undefined;
}

/** An OpenAI chat request as a Gemini GenerateContentRequest. */
export function toGeminiRequest(body: JsonObject): JsonObject {
  const { system, contents: c } = contents(Array.isArray(body.messages) ? body.messages : []);
  const json = jsonMode(body.response_format);
  const stop = stopList(body.stop);
  const max = count(body.max_completion_tokens ?? body.max_tokens);
  const generationConfig: JsonObject = {
    ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
    ...(typeof body.top_p === 'number' ? { topP: body.top_p } : {}),
    ...(max ? { maxOutputTokens: max } : {}),
    ...(stop ? { stopSequences: stop } : {}),
    ...(json ? { responseMimeType: 'application/json', ...(json.schema ? { responseSchema: schemaFor(json.schema) } : {}) } : {}),
  };
  const fns = functionsOf(body.tools);
  const tc = toolConfig(body.tool_choice);
  return {
    contents: c,
    ...(system.length ? { systemInstruction: { parts: [{ text: system.join('\n\n') }] } } : {}),
    ...(Object.keys(generationConfig).length ? { generationConfig } : {}),
    ...(fns.length ? { tools: [{ functionDeclarations: fns.map((f) => ({ ...f, parameters: schemaFor(f.parameters) })) }] } : {}),
    ...(tc ? { toolConfig: tc } : {}),
  };
}

function candidateParts(json: JsonObject): JsonObject[] {
  const cand = Array.isArray(json.candidates) && isObject(json.candidates[0]) ? json.candidates[0] : {};
  const content = isObject(cand.content) ? cand.content : {};
  return Array.isArray(content.parts) ? content.parts.filter(isObject) : [];
}

function finish(json: JsonObject, calls: number): string {
  const reason = finishReasonOf(json);
  if (calls > 0 && reason === 'STOP') return 'tool_calls';
  return FINISH[reason ?? 'STOP'] ?? 'stop';
}

export function fromGeminiResponse(json: Json, model: string): JsonObject {
  const r = isObject(json) ? json : {};
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCallOut[] = [];
  for (const p of candidateParts(r)) {
    if (typeof p.text === 'string') {
      if (p.thought === true) reasoning += p.text;
      else text += p.text;
    } else if (isObject(p.functionCall)) {
      const f = p.functionCall;
      toolCalls.push({ id: typeof f.id === 'string' ? f.id : `call_${toolCalls.length}`, name: String(f.name ?? ''), arguments: JSON.stringify(f.args ?? {}) });
    }
  }
  return completion({
    id: String(r.responseId ?? ''),
    model: typeof r.modelVersion === 'string' ? r.modelVersion : model,
    text, reasoning, toolCalls,
    finishReason: finish(r, toolCalls.length),
    usage: geminiUsage(r.usageMetadata),
  });
}

function geminiChunks(model: string) {
  const w = new ChunkWriter('', model);
  let started = false;
  let calls = 0;
  return {
    onEvent(ev: { data: string }): JsonObject[] {
      const json = tryParse(ev.data);
      if (!isObject(json)) return [];
      if (isObject(json.error)) return [fromGeminiError(json, 500)];
      const out: JsonObject[] = [];
      if (!started) {
        started = true;
        w.id = String(json.responseId ?? '');
        if (typeof json.modelVersion === 'string') w.model = json.modelVersion;
        out.push(w.delta({ role: 'assistant', content: '' }));
      }
      for (const p of candidateParts(json)) {
        if (typeof p.text === 'string' && p.text) out.push(w.delta(p.thought === true ? { reasoning_content: p.text } : { content: p.text }));
        else if (isObject(p.functionCall)) {
          const f = p.functionCall;
          // Gemini sends each function call whole, never in pieces.
          out.push(w.toolStart(calls, typeof f.id === 'string' ? f.id : `call_${calls}`, String(f.name ?? ''), JSON.stringify(f.args ?? {})));
          calls++;
        }
      }
      if (finishReasonOf(json)) {
        out.push(w.delta({}, finish(json, calls)));
        const u = geminiUsage(json.usageMetadata);
        if (u) out.push(w.usage(u));
      }
      return out;
    },
  };
}

export function fromGeminiError(json: Json | undefined, status: number): JsonObject {
  const e = isObject(json) && isObject(json.error) ? json.error : {};
  return openaiError(typeof e.message === 'string' ? e.message : `upstream answered ${status}`, typeof e.status === 'string' ? e.status : 'upstream_error', typeof e.status === 'string' ? e.status : null);
}

/** The chat codec of a Gemini upstream; `path` places the model (AI Studio and Vertex differ). */
export function geminiChat(path: (model: string, method: string) => string): ChatCodec {
  return {
    request(body, model) {
      const stream = body.stream === true;
      return { path: path(model, stream ? 'streamGenerateContent' : 'generateContent') + (stream ? '?alt=sse' : ''), body: toGeminiRequest(body), stream };
    },
    response: fromGeminiResponse,
    stream: geminiChunks,
    error: fromGeminiError,
  };
}

/** OpenAI embeddings <-> batchEmbedContents (which reports no usage: the gateway estimates it). */
export function geminiEmbeddings(path: (model: string, method: string) => string, modelRef: (model: string) => string): EmbeddingsCodec {
  return {
    request(body, model) {
      const inputs = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input.filter((x): x is string => typeof x === 'string') : [];
      const dims = count(body.dimensions);
      const requests = inputs.map((text) => ({ model: modelRef(model), content: { parts: [{ text }] }, ...(dims ? { outputDimensionality: dims } : {}) }));
      return { path: path(model, 'batchEmbedContents'), body: { requests }, stream: false };
    },
    response(json, model) {
      const list = isObject(json) && Array.isArray(json.embeddings) ? json.embeddings : [];
      const data = list.map((e, index) => ({ object: 'embedding', index, embedding: isObject(e) && Array.isArray(e.values) ? e.values : [] }));
      return { object: 'list', data, model, usage: { prompt_tokens: 0, total_tokens: 0 } };
    },
    error: fromGeminiError,
  };
}
