// Anthropic Messages API.
import { z } from 'zod';
import { baseFields, resolved } from '../shared/config.ts';
import type { ProviderAdapter, ProviderDefinition } from '../types.ts';
import { anthropicChat } from './chat.ts';
import { anthropicFormat } from './format.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

export const anthropicAdapter: ProviderAdapter = {
  id: 'anthropic',
  displayName: 'Anthropic',
  authHeaders: (apiKey) => ({ 'x-api-key': apiKey }),
  clientAuthHeaders: ['x-api-key', 'authorization'],
  defaultHeaders: { 'anthropic-version': ANTHROPIC_VERSION },
  inspectNative: (_path, body) => ({ model: typeof body.model === 'string' ? body.model : '', stream: body.stream === true }),
  nativeUrl: (baseUrl, path, search) => baseUrl + path + search,
  formatFor: () => anthropicFormat,
  chat: anthropicChat('/v1/messages'),
  messagesPath: '/v1/messages',
};

const Config = z.strictObject(baseFields);

export const anthropic: ProviderDefinition<typeof Config> = {
  id: 'anthropic',
  displayName: 'Anthropic',
  config: Config,
  create: (cfg) => ({ adapter: anthropicAdapter, ...resolved(cfg, 'https://api.anthropic.com') }),
};
