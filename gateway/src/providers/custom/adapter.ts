// Custom providers: registered in config by slug with their base URL, reached as custom-{slug}.
// They speak OpenAI's wire format (default) or Anthropic's; the upstream URL comes only from config.
import { z } from 'zod';
import { anthropicAdapter } from '../anthropic/adapter.ts';
import { openaiCompatibleAdapter } from '../openai/compatible.ts';
import { httpsUrl, modelsField } from '../shared/config.ts';
import type { ConfiguredProvider } from '../types.ts';

export const CUSTOM_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const CustomProviderConfig = z.strictObject({
  base_url: httpsUrl,
  api_key: z.string().optional(),
  format: z.enum(['openai', 'anthropic']).default('openai'),
  display_name: z.string().optional(),
  models: modelsField,
});

export function customProvider(slug: string, cfg: z.output<typeof CustomProviderConfig>): ConfiguredProvider {
  const id = `custom-${slug}`;
  const displayName = cfg.display_name ?? id;
  const baseUrl = cfg.base_url.replace(/\/+$/, '');
  const adapter = cfg.format === 'anthropic'
    ? { ...anthropicAdapter, id, displayName }
    : openaiCompatibleAdapter({ id, displayName, defaultBaseUrl: baseUrl });
  return { adapter, baseUrl, apiKey: cfg.api_key || undefined };
}
