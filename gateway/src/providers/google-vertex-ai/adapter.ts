// Google Vertex AI: Gemini models (publishers/google, generateContent) and Anthropic models
// (publishers/anthropic, rawPredict / streamRawPredict) under one project and region. The stored
// credential is an OAuth access token sent as a bearer token.
import { z } from 'zod';
import { anthropicChat } from '../anthropic/chat.ts';
import { anthropicFormat } from '../anthropic/format.ts';
import { geminiChat } from '../google-ai-studio/chat.ts';
import { geminiFormat } from '../google-ai-studio/format.ts';
import { fillTemplate, httpUrl, modelsField } from '../shared/config.ts';
import type { ChatCodec, ProviderAdapter, ProviderDefinition } from '../types.ts';
import { predictFormat, vertexEmbeddings } from './embeddings.ts';

const NATIVE = /\/locations\/([a-z0-9-]+)\/publishers\/([a-z0-9-]+)\/models\/([^/:]+):(\w+)$/;
export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

const Config = z.strictObject({
  project: z.string().regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/),
  region: z.string().regex(/^[a-z0-9-]+$/).default('us-central1'),
  /** Base URL template; {region} is filled per request. */
  base_url: httpUrl.optional(),
  /** OAuth 2 access token (Bearer). */
  api_key: z.string().optional(),
  models: modelsField,
});

function vertexAdapter(cfg: z.output<typeof Config>, template: string): ProviderAdapter {
  const prefix = (publisher: string, model: string) => `/v1/projects/${cfg.project}/locations/${cfg.region}/publishers/${publisher}/models/${encodeURIComponent(model)}`;
  const gemini = geminiChat((model, method) => `${prefix('google', model)}:${method}`);
  const claude = anthropicChat({
    path: (model, stream) => `${prefix('anthropic', model)}:${stream ? 'streamRawPredict' : 'rawPredict'}`,
    // Vertex takes the model from the path and the API version in the body.
    adapt: ({ model: _model, ...body }) => ({ anthropic_version: VERTEX_ANTHROPIC_VERSION, ...body }),
  });
  const pick = (model: string) => (model.startsWith('claude') ? claude : gemini);
  const chat: ChatCodec = {
    request: (body, model) => pick(model).request(body, model),
    response: (json, model) => pick(model).response(json, model),
    stream: (model) => pick(model).stream(model),
    error: (json, status) => gemini.error(json, status),
  };
  return {
    id: 'google-vertex-ai',
    displayName: 'Google Vertex AI',
    authHeaders: (token) => ({ authorization: `Bearer ${token}` }),
    clientAuthHeaders: ['authorization'],
    inspectNative(path, body) {
      const m = NATIVE.exec(path);
      const method = m?.[4] ?? '';
      return { model: m ? decodeURIComponent(m[3] as string) : '', stream: method === 'streamGenerateContent' || (method === 'streamRawPredict' && body.stream === true) };
    },
    nativeUrl: (_baseUrl, path, search) => fillTemplate(template, { region: NATIVE.exec(path)?.[1] ?? cfg.region }) + path + search,
    formatFor: (url) => (url.includes('/publishers/anthropic/') ? anthropicFormat : /:predict(\?|$)/.test(url) ? predictFormat : geminiFormat),
    chat,
    embeddings: vertexEmbeddings((model) => `${prefix('google', model)}:predict`),
  };
}

export const googleVertexAi: ProviderDefinition<typeof Config> = {
  id: 'google-vertex-ai',
  displayName: 'Google Vertex AI',
  config: Config,
  create(cfg) {
    const template = (cfg.base_url ?? 'https://{region}-aiplatform.googleapis.com').replace(/\/+$/, '');
    return { adapter: vertexAdapter(cfg, template), baseUrl: fillTemplate(template, { region: cfg.region }), apiKey: cfg.api_key || undefined };
  },
};
