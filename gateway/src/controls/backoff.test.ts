import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryDelayMs } from './backoff.ts';

describe('retryDelayMs', () => {
  const base = { baseMs: 100, maxMs: 10_000 };
  it('keeps the same delay for constant backoff', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, { ...base, backoff: 'constant' }))).toEqual([100, 100, 100, 100]);
  });
  it('grows by the base delay each retry for linear backoff', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, { ...base, backoff: 'linear' }))).toEqual([100, 200, 300, 400]);
  });
  it('doubles each retry for exponential backoff', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, { ...base, backoff: 'exponential' }))).toEqual([100, 200, 400, 800]);
  });
  it('never exceeds maxMs, even for absurd attempt numbers', () => {
    expect(retryDelayMs(5, { baseMs: 1000, maxMs: 3000, backoff: 'exponential' })).toBe(3000);
    expect(retryDelayMs(10_000, { baseMs: 1000, maxMs: 3000, backoff: 'exponential' })).toBe(3000);
    expect(retryDelayMs(10_000, { baseMs: 1000, maxMs: 3000, backoff: 'linear' })).toBe(3000);
  });
  it('treats attempt numbers below 1 as the first retry', () => {
    expect(retryDelayMs(0, { ...base, backoff: 'exponential' })).toBe(100);
    expect(retryDelayMs(Number.NaN, { ...base, backoff: 'linear' })).toBe(100);
  });
  it('jitter shortens the delay within [d × (1 - jitter), d]', () => {
    const opts = { baseMs: 1000, maxMs: 10_000, backoff: 'constant' as const, jitter: 0.5 };
    expect(retryDelayMs(1, { ...opts, random: () => 0 })).toBe(1000);
    expect(retryDelayMs(1, { ...opts, random: () => 0.999999 })).toBe(500);
    expect(retryDelayMs(1, { ...opts, random: () => 0.5 })).toBe(750);
  });
  it('keeps the cap with jitter applied', () => {
    const d = retryDelayMs(8, { baseMs: 1000, maxMs: 2000, backoff: 'exponential', jitter: 1, random: () => 0.25 });
    expect(d).toBe(1500);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads delay-seconds as ms', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1500);
  });
  it('reads an HTTP-date as ms from now', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
  });
  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
  });
  it('gives undefined for absent, empty or unreadable values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('2024', now)).toBe(2_024_000);
    expect(parseRetryAfter('1e3', now)).toBeUndefined();
  });
});
