// Cohere: the v2 API (/v2/chat, /v2/embed…) natively, and its OpenAI compatibility API.
import { openaiFormat } from '../openai/format.ts';
import { BaseProviderConfig, resolved } from '../shared/config.ts';
import type { ProviderAdapter, ProviderDefinition } from '../types.ts';
import { cohereChat, cohereEmbeddings } from './chat.ts';
import { cohereFormat } from './format.ts';

const openai = openaiFormat();

export const cohereAdapter: ProviderAdapter = {
  id: 'cohere',
  displayName: 'Cohere',
  authHeaders: (apiKey) => ({ authorization: `Bearer ${apiKey}` }),
  clientAuthHeaders: ['authorization'],
  inspectNative: (_path, body) => ({ model: typeof body.model === 'string' ? body.model : '', stream: body.stream === true }),
  nativeUrl: (baseUrl, path, search) => baseUrl + path + search,
  formatFor: (url) => (url.includes('/compatibility/') ? openai : cohereFormat),
  chat: cohereChat,
  embeddings: cohereEmbeddings,
};

export const cohere: ProviderDefinition<typeof BaseProviderConfig> = {
  id: 'cohere',
  displayName: 'Cohere',
  config: BaseProviderConfig,
  create: (cfg) => ({ adapter: cohereAdapter, ...resolved(cfg, 'https://api.cohere.com') }),
};
