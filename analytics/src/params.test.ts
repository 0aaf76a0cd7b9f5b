import { describe, expect, it } from 'vitest';
import { AnalyticsError } from './errors.ts';
import { isoUtc, parseInstant, parseRollupParams } from './params.ts';

const H = Date.parse('2026-11-21T20:00:00Z');

function codeOf(query: Record<string, unknown>): string {
  try {
    parseRollupParams(query);
  } catch (err) {
    if (err instanceof AnalyticsError) return `${err.status} ${err.code}`;
    throw err;
  }
  return 'accepted';
}

describe('rollup query parameters', () => {
  it('accepts epoch milliseconds and ISO-8601 instants with Z or an offset', () => {
    expect(parseInstant('from', '1795291200000')).toBe(H);
    expect(parseInstant('from', '2026-11-21T20:00:00Z')).toBe(H);
    expect(parseInstant('from', '2026-11-21T20:00:00.250Z')).toBe(H + 250);
    expect(parseInstant('from', '2026-11-21T21:00:00+01:00')).toBe(H);
    expect(parseInstant('from', '0')).toBe(0);
  });

  it('reads a bare date as UTC midnight', () => {
    expect(parseInstant('to', '2026-11-21')).toBe(Date.parse('2026-11-21T00:00:00Z'));
  });

  it.each([
    ['garbage', 'yesterday'],
    ['an impossible calendar date', '2026-02-30T00:00:00Z'],
    ['a local time without offset (would depend on the server zone)', '2026-11-21T20:00:00'],
    ['a negative epoch', '-1'],
    ['a fractional epoch', '1795291200000.5'],
    ['an instant past ClickHouse DateTime (2106)', '2200-01-01T00:00:00Z'],
    ['a non-ISO date format Date.parse would accept', 'Nov 21 2026'],
  ])('rejects %s as SWY_ANALYTICS_BAD_PARAM', (_, value) => {
    expect(codeOf({ from: value, to: '2026-11-22T00:00:00Z' })).toBe('400 SWY_ANALYTICS_BAD_PARAM');
  });

  it('requires from and to', () => {
    expect(codeOf({ to: '1795291200000' })).toBe('400 SWY_ANALYTICS_MISSING_PARAM');
    expect(codeOf({ from: '1795291200000' })).toBe('400 SWY_ANALYTICS_MISSING_PARAM');
    expect(codeOf({ from: '', to: '1795291200000' })).toBe('400 SWY_ANALYTICS_MISSING_PARAM');
    expect(codeOf({})).toBe('400 SWY_ANALYTICS_MISSING_PARAM');
  });

  it('requires from before to', () => {
    expect(codeOf({ from: String(H), to: String(H) })).toBe('400 SWY_ANALYTICS_BAD_RANGE');
    expect(codeOf({ from: String(H + 1), to: String(H) })).toBe('400 SWY_ANALYTICS_BAD_RANGE');
    expect(codeOf({ from: String(H), to: String(H + 1) })).toBe('accepted');
  });

  it('allows at most 400 days', () => {
    const day = 86_400_000;
    expect(codeOf({ from: String(H), to: String(H + 400 * day) })).toBe('accepted');
    expect(codeOf({ from: String(H), to: String(H + 400 * day + 1) })).toBe('400 SWY_ANALYTICS_BAD_RANGE');
  });

  it('refuses unknown and repeated parameters instead of ignoring them', () => {
    expect(codeOf({ from: String(H), to: String(H + 1), modle: 'gpt-4o' })).toBe('400 SWY_ANALYTICS_UNKNOWN_PARAM');
    expect(codeOf({ from: String(H), to: String(H + 1), provider: ['openai', 'anthropic'] })).toBe('400 SWY_ANALYTICS_BAD_PARAM');
  });

  it('keeps present filters verbatim, the empty string included, and omits absent ones', () => {
    const p = parseRollupParams({ from: String(H), to: String(H + 1), provider: "o'pen\\ai", model: '' });
    expect(p).toEqual({ fromMs: H, toMs: H + 1, filters: { provider: "o'pen\\ai", model: '' } });
    expect('gateway' in p.filters).toBe(false);
  });
});

describe('isoUtc', () => {
  it('prints whole seconds without milliseconds and keeps milliseconds otherwise', () => {
    expect(isoUtc(H)).toBe('2026-11-21T20:00:00Z');
    expect(isoUtc(H + 5)).toBe('2026-11-21T20:00:00.005Z');
  });
});
