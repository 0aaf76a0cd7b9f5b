// Vertex AI text embeddings: OpenAI embeddings <-> :predict ({instances: [{content}]}), whose
// answer counts tokens per input in predictions[].embeddings.statistics.token_count.
import { fromGeminiError } from '../google-ai-studio/chat.ts';
import { geminiFormat } from '../google-ai-studio/format.ts';
import { count, isObject, type EmbeddingsCodec, type Json, type Usage, type WireFormat } from '../types.ts';

function predictions(json: Json | undefined): Array<{ values: Json[]; tokens: number }> {
  const list = isObject(json) && Array.isArray(json.predictions) ? json.predictions : [];
  return list.map((p) => {
    const e = isObject(p) && isObject(p.embeddings) ? p.embeddings : {};
    const stats = isObject(e.statistics) ? e.statistics : {};
    return { values: Array.isArray(e.values) ? e.values : [], tokens: count(stats.token_count) };
  });
}

function predictUsage(json: Json): Usage | undefined {
  const p = predictions(json);
  if (!p.length) return undefined;
  return { input_tokens: p.reduce((n, x) => n + x.tokens, 0), cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: 0, reasoning_tokens: 0 };
}

/** The :predict answers: Gemini's error shapes, usage from the per-input token counts. */
export const predictFormat: WireFormat = { ...geminiFormat, usageFromJson: predictUsage };

export function vertexEmbeddings(path: (model: string) => string): EmbeddingsCodec {
  return {
    request(body, model) {
      const inputs = typeof body.input === 'string' ? [body.input] : Array.isArray(body.input) ? body.input.filter((x): x is string => typeof x === 'string') : [];
      const dims = count(body.dimensions);
      return { path: path(model), body: { instances: inputs.map((content) => ({ content })), ...(dims ? { parameters: { outputDimensionality: dims } } : {}) }, stream: false };
    },
    response(json, model) {
      const p = predictions(json);
      const tokens = p.reduce((n, x) => n + x.tokens, 0);
      return { object: 'list', data: p.map((x, index) => ({ object: 'embedding', index, embedding: x.values })), model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
    },
    error: fromGeminiError,
  };
}
