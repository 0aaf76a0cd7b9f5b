// The `providers` section of the gateway config: one entry per provider, each validated strictly by
// that provider's own schema (a union tagged by the provider id), plus custom providers by slug.
import { z } from 'zod';
import { CUSTOM_SLUG, customProvider, CustomProviderConfig } from './custom/adapter.ts';
import { isProviderId, PROVIDER_IDS, PROVIDERS, type ProviderId } from './registry.ts';
import type { ConfiguredProvider, ProviderDefinition } from './types.ts';

type ConfigOf<K extends ProviderId> = (typeof PROVIDERS)[K]['config'];
type Shape = { [K in ProviderId]: z.ZodOptional<ConfigOf<K>> } & { custom: z.ZodOptional<z.ZodRecord<z.ZodString, typeof CustomProviderConfig>> };

const shape = Object.fromEntries(PROVIDER_IDS.map((id) => [id, PROVIDERS[id].config.optional()])) as unknown as Omit<Shape, 'custom'>;

export const ProvidersConfigSchema = z.strictObject({
  ...shape,
  /** Custom providers by slug, reached as custom-{slug}. */
  custom: z.record(z.string().regex(CUSTOM_SLUG, 'custom provider slugs are lowercase letters, digits and -'), CustomProviderConfig).optional(),
} as Shape);

export type ProvidersConfig = z.output<typeof ProvidersConfigSchema>;

/** Every configured provider, bound to its config, by id. */
export function configureProviders(config: ProvidersConfig): Map<string, ConfiguredProvider> {
  const out = new Map<string, ConfiguredProvider>();
  for (const [id, cfg] of Object.entries(config)) {
    if (cfg === undefined || !isProviderId(id)) continue;
    // Each entry was validated by its own provider's schema, so its factory accepts it.
    out.set(id, withModels((PROVIDERS[id] as ProviderDefinition).create(cfg), cfg));
  }
  for (const [slug, cfg] of Object.entries(config.custom ?? {})) out.set(`custom-${slug}`, withModels(customProvider(slug, cfg), cfg));
  return out;
}

/** Every provider's schema takes the same optional `models` list (shared/config.ts); bound here, once. */
function withModels(provider: ConfiguredProvider, cfg: { models?: string[] | undefined }): ConfiguredProvider {
  return cfg.models ? { ...provider, models: new Set(cfg.models) } : provider;
}
