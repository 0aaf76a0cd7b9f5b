// Config pieces every provider's own (strict) config schema is built from.
import { z } from 'zod';
import { KeyPool } from '../../controls/keys.ts';

/** An upstream base URL: http(s), from config only, never from a request. */
export const httpUrl = z.url({ protocol: /^https?$/ });

/**
 * A custom provider's base URL: https, except plain http to the loopback interface (a local model
 * server or a test double), where TLS protects nothing.
 */
export const httpsUrl = z.url({ protocol: /^https?$/ }).refine((u) => {
  const url = new URL(u);
  return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}, 'must be an https URL (plain http only to 127.0.0.1, localhost or [::1])');

/** One stored key of a pool: requests are spread over the keys by weight (0 = standby). */
export const ProviderKeyConfig = z.strictObject({
  alias: z.string().min(1),
  key: z.string().min(1),
  weight: z.number().nonnegative().optional(),
});

/**
 * The models this provider serves through this gateway. When set, a request for any other model is
 * refused with 404 SWY_UNKNOWN_MODEL before an upstream call; when absent, every model is forwarded
 * and the provider's own answer (e.g. its 404 model_not_found) is relayed.
 */
export const modelsField = z.array(z.string().min(1)).min(1).optional();

/** The fields every provider accepts. */
export const baseFields = {
  models: modelsField,
  /** Upstream base URL; defaults to the provider's public API. */
  base_url: httpUrl.optional(),
  /** Stored provider key; absent means the client's own key header is forwarded. */
  api_key: z.string().optional(),
  /** Several stored keys with aliases and weights (instead of api_key); reloaded on SIGHUP. */
  keys: z.array(ProviderKeyConfig).min(1).optional(),
};

export const BaseProviderConfig = z.strictObject(baseFields);
export type BaseProviderConfig = z.infer<typeof BaseProviderConfig>;

type KeyFields = { base_url?: string | undefined; api_key?: string | undefined; keys?: Array<{ alias: string; key: string; weight?: number | undefined }> | undefined };

/** Base URL without trailing slashes; the stored key (undefined when empty); the key pool, if any. */
export function resolved(cfg: KeyFields, defaultBaseUrl: string): { baseUrl: string; apiKey: string | undefined; keys?: KeyPool } {
  return {
    baseUrl: (cfg.base_url ?? defaultBaseUrl).replace(/\/+$/, ''),
    apiKey: cfg.api_key ? cfg.api_key : undefined,
    ...(cfg.keys ? { keys: new KeyPool(cfg.keys.map((k) => ({ alias: k.alias, key: k.key, ...(k.weight !== undefined ? { weight: k.weight } : {}) }))) } : {}),
  };
}

/** Fill `{name}` placeholders of a URL template; values are single path-safe segments. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => values[name] ?? m);
}
