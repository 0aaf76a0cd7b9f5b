// The cf-aig-* request headers that every route understands, parsed once per request.
import { GatewayError } from '../errors.ts';
import type { Backoff } from './backoff.ts';

export interface RequestOptions {
  metadata: Record<string, string>;
  eventId: string | null;
  /** undefined: the gateway's setting decides. */
  collectLog: boolean | undefined;
  customCost: { perIn: number; perOut: number } | undefined;
  /** Retry overrides (cf-aig-max-attempts, -retry-delay, -backoff, -request-timeout); undefined: gateway default. */
  maxAttempts?: number | undefined;
  retryDelayMs?: number | undefined;
  backoff?: Backoff | undefined;
  requestTimeoutMs?: number | undefined;
  /** cf-aig-skip-cache: neither read nor write the cache for this request. */
  skipCache?: boolean;
  /** cf-aig-cache-ttl in ms (the header is seconds); the cache clamps it to its configured bounds. */
  cacheTtlMs?: number | undefined;
  /** cf-aig-cache-key: replaces path + body in the cache key. */
  cacheKey?: string | undefined;
  /**
   * cf-aig-authorization as sent ("Bearer <token>"; auth.ts bearer() extracts the secret).
   * Non-enumerable on purpose: JSON.stringify, pino, util.inspect and object spreads do not see it,
   * so logging the options can never leak a gateway token. A spread copy ({...options}) therefore
   * has no authorization: verify the token on the object parseRequestOptions returned.
   */
  readonly authorization?: string | undefined;
}

const MAX_METADATA_ENTRIES = 5;
const MAX_HEADER_JSON = 4096;

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseJsonHeader(name: string, value: string): unknown {
  if (value.length > MAX_HEADER_JSON) throw new GatewayError('SWY_BAD_HEADER', `${name} is longer than ${MAX_HEADER_JSON} bytes`);
  try {
    return JSON.parse(value);
  } catch {
    throw new GatewayError('SWY_BAD_HEADER', `${name} is not valid JSON`);
  }
}

export function parseMetadata(value: string | undefined): Record<string, string> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = parseJsonHeader('cf-aig-metadata', value);
  } catch {
    throw new GatewayError('SWY_BAD_METADATA', 'not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new GatewayError('SWY_BAD_METADATA', 'not a JSON object');
  const entries = Object.entries(parsed);
  if (entries.length > MAX_METADATA_ENTRIES) throw new GatewayError('SWY_BAD_METADATA', `${entries.length} entries, at most ${MAX_METADATA_ENTRIES}`);
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (typeof v === 'string') out[k] = v;
    else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') out[k] = JSON.stringify(v);
    else throw new GatewayError('SWY_BAD_METADATA', `value of "${k}" is not a string, number or boolean`);
  }
  return out;
}

function parseBool(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new GatewayError('SWY_BAD_HEADER', `${name} must be true or false`);
}

function parseCustomCost(value: string | undefined): RequestOptions['customCost'] {
  if (value === undefined) return undefined;
  const v = parseJsonHeader('cf-aig-custom-cost', value) as { per_token_in?: unknown; per_token_out?: unknown } | null;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (!v || typeof v !== 'object' || !ok(v.per_token_in) || !ok(v.per_token_out)) {
    throw new GatewayError('SWY_BAD_HEADER', 'cf-aig-custom-cost must be {"per_token_in": number, "per_token_out": number}');
  }
  return { perIn: v.per_token_in, perOut: v.per_token_out };
}

/** A decimal integer in [min, max]: no sign, exponent, fraction or spaces. undefined when absent. */
function parseInt(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new GatewayError('SWY_BAD_HEADER', `${name} must be an integer from ${min} to ${max}`);
  }
  return Number(value);
}

export const MAX_ATTEMPTS = 5;
export const MAX_RETRY_DELAY_MS = 5_000;
export const MAX_REQUEST_TIMEOUT_MS = 600_000;
export const MAX_CACHE_KEY_LENGTH = 256;

export function parseSkipCache(value: string | undefined): boolean {
  return parseBool('cf-aig-skip-cache', value) ?? false;
}

/** Whole seconds ≥ 0 → ms. No tighter upper bound here: the cache clamps to its configured maximum. */
export function parseCacheTtl(value: string | undefined): number | undefined {
  const s = parseInt('cf-aig-cache-ttl', value, 0, 9_999_999_999);
  return s === undefined ? undefined : s * 1000;
}

export function parseCacheKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > MAX_CACHE_KEY_LENGTH) {
    throw new GatewayError('SWY_BAD_HEADER', `cf-aig-cache-key must be 1 to ${MAX_CACHE_KEY_LENGTH} characters`);
  }
  return value;
}

export function parseRequestTimeout(value: string | undefined): number | undefined {
  return parseInt('cf-aig-request-timeout', value, 1, MAX_REQUEST_TIMEOUT_MS);
}

export function parseMaxAttempts(value: string | undefined): number | undefined {
  return parseInt('cf-aig-max-attempts', value, 1, MAX_ATTEMPTS);
}

export function parseRetryDelay(value: string | undefined): number | undefined {
  return parseInt('cf-aig-retry-delay', value, 0, MAX_RETRY_DELAY_MS);
}

export function parseBackoff(value: string | undefined): Backoff | undefined {
  if (value === undefined) return undefined;
  if (value === 'constant' || value === 'linear' || value === 'exponential') return value;
  throw new GatewayError('SWY_BAD_HEADER', 'cf-aig-backoff must be constant, linear or exponential');
}

export function parseRequestOptions(headers: Headers): RequestOptions {
  const eventId = header(headers, 'cf-aig-event-id');
  if (eventId !== undefined && eventId.length > 256) throw new GatewayError('SWY_BAD_HEADER', 'cf-aig-event-id is longer than 256 characters');
  const options: RequestOptions = {
    metadata: parseMetadata(header(headers, 'cf-aig-metadata')),
    eventId: eventId ?? null,
    collectLog: parseBool('cf-aig-collect-log', header(headers, 'cf-aig-collect-log')),
    customCost: parseCustomCost(header(headers, 'cf-aig-custom-cost')),
    maxAttempts: parseMaxAttempts(header(headers, 'cf-aig-max-attempts')),
    retryDelayMs: parseRetryDelay(header(headers, 'cf-aig-retry-delay')),
    backoff: parseBackoff(header(headers, 'cf-aig-backoff')),
    requestTimeoutMs: parseRequestTimeout(header(headers, 'cf-aig-request-timeout')),
    skipCache: parseSkipCache(header(headers, 'cf-aig-skip-cache')),
    cacheTtlMs: parseCacheTtl(header(headers, 'cf-aig-cache-ttl')),
    cacheKey: parseCacheKey(header(headers, 'cf-aig-cache-key')),
  };
  return Object.defineProperty(options, 'authorization', { value: header(headers, 'cf-aig-authorization'), enumerable: false });
}
