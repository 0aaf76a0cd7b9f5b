// Everything one named gateway enforces, built once from its config at start-up: token auth,
// rate limits, spend budgets and the response cache. All state is local to this node.
import type { GatewaySettingsConfig } from '../config.ts';
import { TokenStore, type TokenConfig } from './auth.ts';
import { BudgetLedger } from './budget.ts';
import { ResponseCache } from './cache.ts';
import { RateLimiter } from './rate-limit.ts';

export interface GatewayControls {
  readonly authRequired: boolean;
  readonly tokens: TokenStore;
  readonly limiter: RateLimiter | undefined;
  readonly ledger: BudgetLedger | undefined;
  readonly cache: ResponseCache | undefined;
  readonly defaultOutputTokens: number;
}

/** The configured tokens as the TokenStore takes them (at start and on reload). */
export function tokenConfigs(g: GatewaySettingsConfig): TokenConfig[] {
  return g.auth.tokens.map((t) => ({ ...t, ...(t.models ? { models: [...t.models] } : {}) }));
}

export function buildGatewayControls(g: GatewaySettingsConfig): GatewayControls {
  return {
    authRequired: g.auth.required,
    tokens: new TokenStore(tokenConfigs(g)),
    limiter: g.rate_limits.length ? new RateLimiter(g.rate_limits.map((r) => ({ ...r }))) : undefined,
    ledger: g.budgets.rules.length ? new BudgetLedger(g.budgets.rules.map((r) => ({ ...r }))) : undefined,
    cache: g.cache.enabled
      ? new ResponseCache({
          maxBytes: g.cache.max_bytes,
          maxEntryBytes: g.cache.max_entry_bytes,
          defaultTtlMs: g.cache.default_ttl_s * 1000,
          minTtlMs: g.cache.min_ttl_s * 1000,
          maxTtlMs: g.cache.max_ttl_s * 1000,
        })
      : undefined,
    defaultOutputTokens: g.budgets.default_output_tokens,
  };
}
