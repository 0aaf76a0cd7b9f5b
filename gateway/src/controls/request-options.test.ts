import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.ts';
import {
  parseBackoff,
  parseCacheKey,
  parseCacheTtl,
  parseMaxAttempts,
  parseMetadata,
  parseRequestOptions,
  parseRequestTimeout,
  parseRetryDelay,
  parseSkipCache,
} from './request-options.ts';

function badHeader(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('expected a GatewayError');
}

describe('parseRequestOptions', () => {
  it('gives the defaults when no cf-aig-* header is sent', () => {
    const o = parseRequestOptions({});
    expect({ ...o }).toEqual({
      metadata: {}, eventId: null, collectLog: undefined, customCost: undefined, skipCache: false, cacheTtlMs: undefined,
      cacheKey: undefined, requestTimeoutMs: undefined, maxAttempts: undefined, retryDelayMs: undefined, backoff: undefined,
    });
    expect(o.authorization).toBeUndefined();
  });
  it('parses every control header', () => {
    const o = parseRequestOptions({
      'cf-aig-metadata': '{"user":"u1","n":3}',
      'cf-aig-event-id': 'evt-1',
      'cf-aig-collect-log': 'false',
      'cf-aig-custom-cost': '{"per_token_in":0.000001,"per_token_out":0.000002}',
      'cf-aig-skip-cache': 'true',
      'cf-aig-cache-ttl': '3600',
      'cf-aig-cache-key': 'my-key',
      'cf-aig-request-timeout': '15000',
      'cf-aig-max-attempts': '3',
      'cf-aig-retry-delay': '250',
      'cf-aig-backoff': 'exponential',
      'cf-aig-authorization': 'Bearer s3cret',
    });
    expect(o).toMatchObject({
      metadata: { user: 'u1', n: '3' }, eventId: 'evt-1', collectLog: false, customCost: { perIn: 0.000001, perOut: 0.000002 },
      skipCache: true, cacheTtlMs: 3_600_000, cacheKey: 'my-key', requestTimeoutMs: 15_000, maxAttempts: 3, retryDelayMs: 250, backoff: 'exponential',
    });
    expect(o.authorization).toBe('Bearer s3cret');
  });
  it('never exposes cf-aig-authorization to serializers, spreads or inspect', () => {
    const o = parseRequestOptions({ 'cf-aig-authorization': 'Bearer s3cret', 'cf-aig-event-id': 'e' });
    expect(JSON.stringify(o)).not.toContain('s3cret');
    expect(JSON.stringify({ ...o })).not.toContain('s3cret');
    expect(inspect(o, { depth: 5 })).not.toContain('s3cret');
    expect(Object.keys(o)).not.toContain('authorization');
  });
  it('takes the first value of a repeated header', () => {
    expect(parseRequestOptions({ 'cf-aig-max-attempts': ['2', '9'] }).maxAttempts).toBe(2);
  });
  it('reports an invalid header as SWY_BAD_HEADER (400)', () => {
    const err = badHeader(() => parseRequestOptions({ 'cf-aig-backoff': 'fibonacci' }));
    expect(err.code).toBe('SWY_BAD_HEADER');
    expect(err.status).toBe(400);
  });
  it('rejects an event id over 256 characters', () => {
    expect(badHeader(() => parseRequestOptions({ 'cf-aig-event-id': 'e'.repeat(257) })).code).toBe('SWY_BAD_HEADER');
  });
});

describe('cf-aig-metadata', () => {
  it('rejects more than 5 entries and nested values', () => {
    expect(badHeader(() => parseMetadata('{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1}')).code).toBe('SWY_BAD_METADATA');
    expect(badHeader(() => parseMetadata('{"a":{"b":1}}')).code).toBe('SWY_BAD_METADATA');
    expect(badHeader(() => parseMetadata('[1]')).code).toBe('SWY_BAD_METADATA');
  });
});

describe('cf-aig-skip-cache', () => {
  it('reads true and false, default false', () => {
    expect(parseSkipCache('true')).toBe(true);
    expect(parseSkipCache('false')).toBe(false);
    expect(parseSkipCache(undefined)).toBe(false);
  });
  it.each(['1', 'yes', 'TRUE', ''])('rejects %j', (v) => {
    expect(badHeader(() => parseSkipCache(v)).code).toBe('SWY_BAD_HEADER');
  });
});

describe('cf-aig-cache-ttl', () => {
  it('reads whole seconds as ms', () => {
    expect(parseCacheTtl('0')).toBe(0);
    expect(parseCacheTtl('60')).toBe(60_000);
    expect(parseCacheTtl('2592000')).toBe(2_592_000_000);
    expect(parseCacheTtl(undefined)).toBeUndefined();
  });
  it.each(['-1', '1.5', '1e3', ' 60', 'sixty', '', '99999999999'])('rejects %j', (v) => {
    expect(badHeader(() => parseCacheTtl(v)).code).toBe('SWY_BAD_HEADER');
  });
});

describe('cf-aig-cache-key', () => {
  it('keeps a key of 1 to 256 characters as is', () => {
    expect(parseCacheKey('user-42:v2')).toBe('user-42:v2');
    expect(parseCacheKey('k'.repeat(256))).toHaveLength(256);
    expect(parseCacheKey(undefined)).toBeUndefined();
  });
  it('rejects an empty key and one over 256 characters', () => {
    expect(badHeader(() => parseCacheKey('')).code).toBe('SWY_BAD_HEADER');
    expect(badHeader(() => parseCacheKey('k'.repeat(257))).code).toBe('SWY_BAD_HEADER');
  });
});

describe('cf-aig-request-timeout', () => {
  it('reads a whole number of ms from 1 to 600000', () => {
    expect(parseRequestTimeout('1')).toBe(1);
    expect(parseRequestTimeout('30000')).toBe(30_000);
    expect(parseRequestTimeout('600000')).toBe(600_000);
    expect(parseRequestTimeout(undefined)).toBeUndefined();
  });
  it.each(['0', '-5', '1.5', 'abc', '600001', '2147483648'])('rejects %j', (v) => {
    expect(badHeader(() => parseRequestTimeout(v)).code).toBe('SWY_BAD_HEADER');
  });
});

describe('cf-aig-max-attempts', () => {
  it('reads 1 to 5', () => {
    expect([1, 2, 3, 4, 5].map((n) => parseMaxAttempts(String(n)))).toEqual([1, 2, 3, 4, 5]);
    expect(parseMaxAttempts(undefined)).toBeUndefined();
  });
  it.each(['0', '6', '2.0', '-1', 'three'])('rejects %j', (v) => {
    expect(badHeader(() => parseMaxAttempts(v)).code).toBe('SWY_BAD_HEADER');
  });
});

describe('cf-aig-retry-delay', () => {
  it('reads 0 to 5000 ms', () => {
    expect(parseRetryDelay('0')).toBe(0);
    expect(parseRetryDelay('5000')).toBe(5000);
    expect(parseRetryDelay(undefined)).toBeUndefined();
  });
  it.each(['5001', '-1', '100ms', '1e2'])('rejects %j', (v) => {
    expect(badHeader(() => parseRetryDelay(v)).code).toBe('SWY_BAD_HEADER');
  });
});

describe('cf-aig-backoff', () => {
  it('reads constant, linear and exponential', () => {
    expect(['constant', 'linear', 'exponential'].map(parseBackoff)).toEqual(['constant', 'linear', 'exponential']);
    expect(parseBackoff(undefined)).toBeUndefined();
  });
  it.each(['Exponential', 'fibonacci', ''])('rejects %j', (v) => {
    expect(badHeader(() => parseBackoff(v)).code).toBe('SWY_BAD_HEADER');
  });
});

describe('cf-aig-authorization', () => {
  it('is kept as sent, whatever its form (auth.ts decides what is valid)', () => {
    expect(parseRequestOptions({ 'cf-aig-authorization': 'Bearer abc' }).authorization).toBe('Bearer abc');
    expect(parseRequestOptions({ 'cf-aig-authorization': 'abc' }).authorization).toBe('abc');
  });
});
