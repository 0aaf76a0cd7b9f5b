// Node-local resilience state shared by every request: one circuit breaker per upstream target and
// one retry budget, so a dead upstream cannot multiply the traffic sent to it.
import { CircuitBreaker, RetryBudget } from '../controls/breaker.ts';
import type { ProviderRuntime } from './proxy.ts';

export interface ResilienceSettings {
  breaker_failure_threshold: number;
  breaker_cooldown_ms: number;
  retry_budget_ratio: number;
  retry_budget_min_per_second: number;
  key_cooldown_ms: number;
}

export class Resilience {
  readonly retryBudget: RetryBudget;
  /** How long a pooled key rests after a 429 that gave no Retry-After. */
  readonly keyCooldownMs: number;
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly settings: ResilienceSettings;

  constructor(settings: ResilienceSettings) {
    this.settings = settings;
    this.keyCooldownMs = settings.key_cooldown_ms;
    this.retryBudget = new RetryBudget({ ratio: settings.retry_budget_ratio, minPerSecond: settings.retry_budget_min_per_second });
  }

  /** The breaker of one upstream target (provider and base URL); created on first use. */
  breaker(p: ProviderRuntime): CircuitBreaker {
    const key = `${p.adapter.id} ${p.baseUrl}`;
    let b = this.breakers.get(key);
    if (!b) {
      b = new CircuitBreaker({ failureThreshold: this.settings.breaker_failure_threshold, cooldownMs: this.settings.breaker_cooldown_ms });
      this.breakers.set(key, b);
    }
    return b;
  }
}
