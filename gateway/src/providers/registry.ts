// Every provider the gateway knows: one line each. The ProviderId type derives from this object.
import { anthropic } from './anthropic/adapter.ts';
import { openai } from './openai/adapter.ts';
import type { ProviderAdapter } from './types.ts';

export const PROVIDERS = {
  openai,
  anthropic,
} as const satisfies Record<string, ProviderAdapter>;

export type ProviderId = keyof typeof PROVIDERS;
export const PROVIDER_IDS = Object.keys(PROVIDERS) as ProviderId[];

export function isProviderId(id: string): id is ProviderId {
  return Object.hasOwn(PROVIDERS, id);
}
