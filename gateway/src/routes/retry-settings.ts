// A request's retry settings: the gateway's defaults, overridden by its cf-aig-* retry headers.
import type { GatewaySettingsConfig } from '../config.ts';
import type { RequestOptions } from '../controls/request-options.ts';
import type { RetrySettings } from '../upstream/proxy.ts';

export function retrySettings(gateway: GatewaySettingsConfig, options: RequestOptions): RetrySettings {
  const d = gateway.retry;
  return {
    maxAttempts: options.maxAttempts ?? d.max_attempts,
    retryDelayMs: options.retryDelayMs ?? d.retry_delay_ms,
    backoff: options.backoff ?? d.backoff,
    requestTimeoutMs: options.requestTimeoutMs ?? d.request_timeout_ms,
    retryAfterCapMs: d.retry_after_cap_ms,
  };
}
