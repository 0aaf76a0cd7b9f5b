// What every route needs, resolved once at start-up.
import type { Logger, PriceCatalog } from '@switchyard/schemas';
import type { GatewayControls } from '../controls/gateway-controls.ts';
import type { Dispatcher } from 'undici';
import type { GatewayConfig } from '../config.ts';
import type { RequestOptions } from '../controls/request-options.ts';
import { GatewayError } from '../errors.ts';
import { Exchange, type ExchangeStart } from '../telemetry/exchange.ts';
import { configureProviders } from '../providers/config.ts';
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
  catalog: PriceCatalog;
  controls(gateway: string): GatewayControls;
}

/** Every configured provider, bound to its own validated config (see providers/config.ts). */
export function resolveProviders(config: Readonly<GatewayConfig>): Map<string, ProviderRuntime> {
  return configureProviders(config.providers);
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

/**
 * The exchange of one request to `gateway`: records go to the node's sink, collected as the request
 * asks or else as the gateway's settings say. The token is bound later, at admission (Exchange.begin).
 */
export function startExchange(
  ctx: RouteContext,
  gateway: string,
  settings: { collect_logs: boolean },
  options: RequestOptions,
  what: Pick<ExchangeStart, 'route' | 'provider' | 'model' | 'path' | 'stream' | 'requestBytes'>,
): Exchange {
  return new Exchange({
    ...what,
    sink: ctx.sink,
    collect: options.collectLog ?? settings.collect_logs,
    nodeId: ctx.config.node_id,
    gateway,
    options,
    tokenId: null,
  });
}
