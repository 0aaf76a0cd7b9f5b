// What every route needs, resolved once at start-up.
import type { Logger } from '@switchyard/schemas';
import type { Dispatcher } from 'undici';
import type { GatewayConfig } from '../config.ts';
import { GatewayError } from '../errors.ts';
import { isProviderId, PROVIDERS } from '../providers/registry.ts';
import type { ProviderRuntime } from '../upstream/proxy.ts';
import type { RecordSink } from '../telemetry/producer.ts';
import type { Resilience } from '../upstream/resilience.ts';

export interface RouteContext {
  config: Readonly<GatewayConfig>;
  logger: Logger;
  sink: RecordSink;
  agent: Dispatcher;
  /** Configured providers, with base URL and key resolved. */
  providers: ReadonlyMap<string, ProviderRuntime>;
  draining: () => boolean;
  resilience: Resilience;
  limits: Readonly<GatewayConfig['limits']>;
}

export function resolveProviders(config: Readonly<GatewayConfig>): Map<string, ProviderRuntime> {
  const out = new Map<string, ProviderRuntime>();
  for (const [id, pc] of Object.entries(config.providers)) {
    if (!pc || !isProviderId(id)) continue;
    const adapter = PROVIDERS[id];
    out.set(id, {
      adapter,
      baseUrl: (pc.base_url ?? adapter.defaultBaseUrl).replace(/\/+$/, ''),
      apiKey: pc.api_key ? pc.api_key : undefined,
    });
  }
  return out;
}

export function gatewaySettings(ctx: RouteContext, name: string) {
  const g = Object.hasOwn(ctx.config.gateways, name) ? ctx.config.gateways[name] : undefined;
  if (!g) throw new GatewayError('SWY_UNKNOWN_GATEWAY', JSON.stringify(name));
  return g;
}

export function providerRuntime(ctx: RouteContext, id: string): ProviderRuntime {
  const p = ctx.providers.get(id);
  if (!p) throw new GatewayError('SWY_UNKNOWN_PROVIDER', JSON.stringify(id));
  return p;
}
