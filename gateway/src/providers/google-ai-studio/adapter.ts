// Google AI Studio (Gemini API): the model is part of the path,
// /v1beta/models/{model}:generateContent and :streamGenerateContent?alt=sse.
import { z } from 'zod';
import { baseFields, resolved } from '../shared/config.ts';
import type { NativeInspection, ProviderAdapter, ProviderDefinition } from '../types.ts';
import { geminiChat, geminiEmbeddings } from './chat.ts';
import { geminiFormat } from './format.ts';

const MODEL_METHOD = /\/models\/([^/:]+):(\w+)$/;

/** Model and stream of a Gemini native path (…/models/{model}:{method}). */
export function geminiNative(path: string): NativeInspection {
  const m = MODEL_METHOD.exec(path);
  return { model: m ? decodeURIComponent(m[1] as string) : '', stream: m?.[2] === 'streamGenerateContent' };
}

const modelPath = (model: string, method: string) => `/v1beta/models/${encodeURIComponent(model)}:${method}`;

export const geminiAdapter: ProviderAdapter = {
  id: 'google-ai-studio',
  displayName: 'Google AI Studio',
  authHeaders: (apiKey) => ({ 'x-goog-api-key': apiKey }),
  clientAuthHeaders: ['x-goog-api-key', 'authorization'],
  inspectNative: (path) => geminiNative(path),
  nativeUrl: (baseUrl, path, search) => baseUrl + path + search,
  formatFor: () => geminiFormat,
  chat: geminiChat(modelPath),
  embeddings: geminiEmbeddings(modelPath, (model) => `models/${model}`),
};

const Config = z.strictObject(baseFields);

export const googleAiStudio: ProviderDefinition<typeof Config> = {
  id: 'google-ai-studio',
  displayName: 'Google AI Studio',
  config: Config,
  create: (cfg) => ({ adapter: geminiAdapter, ...resolved(cfg, 'https://generativelanguage.googleapis.com') }),
};
