// Per-request behaviour, read from x-mock-* request headers over the server-wide defaults.
import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_CHUNKS, type MockUsageOptions } from './usage.ts';

export const MOCK_HEADERS = {
  latencyMs: 'x-mock-latency-ms',
  status: 'x-mock-status',
  retryAfter: 'x-mock-retry-after',
  chunks: 'x-mock-chunks',
  chunkDelayMs: 'x-mock-chunk-delay-ms',
  cutAfter: 'x-mock-cut-after',
  cachedTokens: 'x-mock-cached-tokens',
  cacheWriteTokens: 'x-mock-cache-write-tokens',
  reasoningTokens: 'x-mock-reasoning-tokens',
  invalid: 'x-mock-invalid',
  echoKey: 'x-mock-echo-key',
  toolCall: 'x-mock-tool-call',
} as const;

export interface MockDefaults {
  latencyMs: number;
  chunks: number;
  chunkDelayMs: number;
}

export const BASE_DEFAULTS: MockDefaults = { latencyMs: 0, chunks: DEFAULT_CHUNKS, chunkDelayMs: 0 };

export interface MockBehaviour extends Required<MockUsageOptions> {
  latencyMs: number;
  /** An error status (>= 400) to answer with, in the provider's error shape. */
  status: number | undefined;
  retryAfter: string | undefined;
  chunkDelayMs: number;
  /** Number of content chunks after which the mock destroys the socket, or before any header. */
  cutAfter: number | 'before-headers' | undefined;
  invalid: 'json' | 'sse' | undefined;
  echoKey: boolean;
  /** JSON arguments: the reply also calls the request's first tool with them. */
  toolCall: string | undefined;
}

/** A malformed x-mock-* header: answered with 400, because it is a bug in the test that sent it. */
export class MockHeaderError extends Error {
  readonly header: string;
  constructor(header: string, value: string) {
    super(`invalid ${header} header: ${JSON.stringify(value)}`);
    this.header = header;
  }
}

const MAX_CHUNKS = 1_000_000;

function one(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function nonNegativeInt(headers: IncomingHttpHeaders, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = one(headers, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > max) throw new MockHeaderError(name, raw);
  return n;
}

export function behaviourFromHeaders(headers: IncomingHttpHeaders, defaults: MockDefaults = BASE_DEFAULTS): MockBehaviour {
  const statusRaw = one(headers, MOCK_HEADERS.status);
  let status: number | undefined;
  if (statusRaw !== undefined) {
    status = nonNegativeInt(headers, MOCK_HEADERS.status, 0, 599);
    if (status < 400) throw new MockHeaderError(MOCK_HEADERS.status, statusRaw);
  }

  const cutRaw = one(headers, MOCK_HEADERS.cutAfter);
  const cutAfter =
    cutRaw === undefined
      ? undefined
      : cutRaw === 'before-headers'
        ? ('before-headers' as const)
        : nonNegativeInt(headers, MOCK_HEADERS.cutAfter, 0, MAX_CHUNKS);

  const invalidRaw = one(headers, MOCK_HEADERS.invalid);
  if (invalidRaw !== undefined && invalidRaw !== 'json' && invalidRaw !== 'sse') {
    throw new MockHeaderError(MOCK_HEADERS.invalid, invalidRaw);
  }

  const toolRaw = one(headers, MOCK_HEADERS.toolCall);
  if (toolRaw !== undefined) {
    let args: unknown;
    try {
      args = JSON.parse(toolRaw);
    } catch {
      throw new MockHeaderError(MOCK_HEADERS.toolCall, toolRaw);
    }
    if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new MockHeaderError(MOCK_HEADERS.toolCall, toolRaw);
  }

  const echoRaw = one(headers, MOCK_HEADERS.echoKey);
  return {
    latencyMs: nonNegativeInt(headers, MOCK_HEADERS.latencyMs, defaults.latencyMs, 600_000),
    status,
    retryAfter: one(headers, MOCK_HEADERS.retryAfter),
    chunks: nonNegativeInt(headers, MOCK_HEADERS.chunks, defaults.chunks, MAX_CHUNKS),
    chunkDelayMs: nonNegativeInt(headers, MOCK_HEADERS.chunkDelayMs, defaults.chunkDelayMs, 600_000),
    cutAfter,
    cachedTokens: nonNegativeInt(headers, MOCK_HEADERS.cachedTokens, 0),
    cacheWriteTokens: nonNegativeInt(headers, MOCK_HEADERS.cacheWriteTokens, 0),
    reasoningTokens: nonNegativeInt(headers, MOCK_HEADERS.reasoningTokens, 0),
    invalid: invalidRaw,
    echoKey: echoRaw !== undefined && echoRaw !== '0' && echoRaw !== 'false',
    toolCall: toolRaw,
  };
}
