// The cf-aig-* request headers that every route understands, parsed once per request.
import { GatewayError } from '../errors.ts';

export interface RequestOptions {
  metadata: Record<string, string>;
  eventId: string | null;
  /** undefined: the gateway's setting decides. */
  collectLog: boolean | undefined;
  customCost: { perIn: number; perOut: number } | undefined;
  /** Retry overrides (cf-aig-max-attempts, -retry-delay, -backoff, -request-timeout); undefined: gateway default. */
  maxAttempts?: number | undefined;
  retryDelayMs?: number | undefined;
  backoff?: 'constant' | 'linear' | 'exponential' | undefined;
  requestTimeoutMs?: number | undefined;
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

function parseInt(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new GatewayError('SWY_BAD_HEADER', `${name} must be an integer from ${min} to ${max}`);
  }
  return Number(value);
}

function parseBackoff(value: string | undefined): RequestOptions['backoff'] {
  if (value === undefined) return undefined;
  if (value === 'constant' || value === 'linear' || value === 'exponential') return value;
  throw new GatewayError('SWY_BAD_HEADER', 'cf-aig-backoff must be constant, linear or exponential');
}

export function parseRequestOptions(headers: Headers): RequestOptions {
  const eventId = header(headers, 'cf-aig-event-id');
  if (eventId !== undefined && eventId.length > 256) throw new GatewayError('SWY_BAD_HEADER', 'cf-aig-event-id is longer than 256 characters');
  return {
    metadata: parseMetadata(header(headers, 'cf-aig-metadata')),
    eventId: eventId ?? null,
    collectLog: parseBool('cf-aig-collect-log', header(headers, 'cf-aig-collect-log')),
    customCost: parseCustomCost(header(headers, 'cf-aig-custom-cost')),
    maxAttempts: parseInt('cf-aig-max-attempts', header(headers, 'cf-aig-max-attempts'), 1, 5),
    retryDelayMs: parseInt('cf-aig-retry-delay', header(headers, 'cf-aig-retry-delay'), 0, 5_000),
    backoff: parseBackoff(header(headers, 'cf-aig-backoff')),
    requestTimeoutMs: parseInt('cf-aig-request-timeout', header(headers, 'cf-aig-request-timeout'), 1, 600_000),
  };
}
