// Every provider the gateway knows: one line each. The ProviderId type derives from this object.
import { anthropic } from './anthropic/adapter.ts';
import { awsBedrock } from './aws-bedrock/adapter.ts';
import { azureOpenai } from './azure-openai/adapter.ts';
import { cerebras } from './cerebras/adapter.ts';
import { cohere } from './cohere/adapter.ts';
import { deepseek } from './deepseek/adapter.ts';
import { fireworks } from './fireworks/adapter.ts';
import { googleAiStudio } from './google-ai-studio/adapter.ts';
import { googleVertexAi } from './google-vertex-ai/adapter.ts';
import { groq } from './groq/adapter.ts';
import { huggingface } from './huggingface/adapter.ts';
import { mistral } from './mistral/adapter.ts';
import { ollama } from './ollama/adapter.ts';
import { openai } from './openai/adapter.ts';
import { openrouter } from './openrouter/adapter.ts';
import { perplexity } from './perplexity/adapter.ts';
import { together } from './together/adapter.ts';
import type { ProviderDefinition } from './types.ts';
import { workersAi } from './workers-ai/adapter.ts';
import { xai } from './xai/adapter.ts';

export const PROVIDERS = {
  openai,
  'azure-openai': azureOpenai,
  anthropic,
  'google-ai-studio': googleAiStudio,
  'google-vertex-ai': googleVertexAi,
  'aws-bedrock': awsBedrock,
  'workers-ai': workersAi,
  mistral,
  groq,
  cohere,
  deepseek,
  xai,
  perplexity,
  openrouter,
  cerebras,
  together,
  fireworks,
  huggingface,
  ollama,
} as const satisfies Record<string, ProviderDefinition>;

export type ProviderId = keyof typeof PROVIDERS;
export const PROVIDER_IDS = Object.keys(PROVIDERS) as ProviderId[];

export function isProviderId(id: string): id is ProviderId {
  return Object.hasOwn(PROVIDERS, id);
}
