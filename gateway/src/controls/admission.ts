// Admission of one request by its gateway's controls, in order: the token's model allow-list,
// rate limits, then the spend budget (the estimated cost is reserved now and settled with the real
// cost when the exchange ends, so concurrent requests cannot overshoot). Returns the refusal, if any.
import { costOf, customCostOf, type PriceCatalog } from '@switchyard/schemas';
import { GatewayError } from '../errors.ts';
import { tryParse } from '../providers/types.ts';
import type { Exchange, ExchangeEnd } from '../telemetry/exchange.ts';
import type { TokenConfig } from './auth.ts';
import { estimateCost, estimateTokens } from './budget.ts';
import type { GatewayControls } from './gateway-controls.ts';

export interface AdmissionTarget {
  provider: string;
  model: string;
  /** The parsed request body, for the cost estimate; parsed from `raw` only when a budget needs it. */
  json?: unknown;
  raw: Buffer | string;
}

/** The real cost of an ended exchange: the request's custom cost, else the catalog price, else 0. */
export function actualCost(catalog: PriceCatalog, ex: Exchange, end: ExchangeEnd): number {
  const u = end.usage;
  if (!u) return 0;
  const custom = ex.s.options.customCost;
  if (custom) return customCostOf(u, custom.perIn, custom.perOut);
  const price = catalog.priceAt(ex.s.provider, ex.s.model, ex.startMs);
  return price ? costOf(u, price) : 0;
}

export function admit(
  controls: GatewayControls,
  catalog: PriceCatalog,
  ex: Exchange,
  targets: AdmissionTarget[],
  token: TokenConfig | null,
): GatewayError | undefined {
  if (token) {
    for (const t of targets) {
      if (!controls.tokens.allows(token, t.provider, t.model)) return new GatewayError('SWY_MODEL_NOT_ALLOWED', `${t.provider}/${t.model}`);
    }
  }
  const first = targets[0] as AdmissionTarget;
  const scope = { gateway: ex.s.gateway, token: token?.id ?? null, provider: first.provider, model: first.model, metadata: ex.s.options.metadata };
  if (controls.limiter) {
    const limiter = controls.limiter;
    const decision = limiter.admit(scope);
    if (!decision.ok) {
      ex.limitHit = decision.rule;
      return new GatewayError('SWY_RATE_LIMITED', `rule ${decision.rule}`, decision.retryAfterMs);
    }
    ex.onFinish((end) => {
      const u = end.usage;
      // A cache hit consumed no provider tokens.
      if (u && ex.cacheStatus !== 'HIT') limiter.addTokens(scope, u.input_tokens + u.cached_input_tokens + u.cache_write_tokens + u.output_tokens);
    });
  }
  if (controls.ledger) {
    const ledger = controls.ledger;
    const body = first.json ?? tryParse(typeof first.raw === 'string' ? first.raw : first.raw.toString('utf8'));
    const custom = ex.s.options.customCost;
    const estimate = custom
      ? estimateWithCustom(body, controls.defaultOutputTokens, custom)
      : (estimateCost(catalog, first.provider, first.model, body, ex.startMs, { defaultOutputTokens: controls.defaultOutputTokens }) ?? 0);
    const r = ledger.reserve(scope, estimate);
    if (!r.ok) {
      ex.limitHit = r.rule;
      return new GatewayError('SWY_BUDGET_EXCEEDED', `rule ${r.rule}: spent $${r.spentUsd.toFixed(6)} of $${r.limitUsd}`, r.retryAfterMs);
    }
    ex.budgetReservedUsd = estimate;
    ex.onFinish((end) => {
      // A cache hit costs nothing at the provider.
      const cost = ex.cacheStatus === 'HIT' ? 0 : actualCost(catalog, ex, end);
      ex.budgetSettledUsd = cost;
      ledger.settle(r.reservation, cost);
    });
  }
  return undefined;
}

/** The same token estimate as the catalog path, priced at the request's own per-token costs. */
function estimateWithCustom(body: unknown, defaultOutputTokens: number, c: { perIn: number; perOut: number }): number {
  const t = estimateTokens(body, { defaultOutputTokens });
  return t.input * c.perIn + t.output * c.perOut;
}
