import { describe, expect, it } from 'vitest';
import { PriceCatalog } from '@switchyard/schemas';
import { buildUsageQuery, priceBoundaries, toUsageGroup, type UsageQuery, type UsageRowJson } from './query.ts';

const H = Date.parse('2026-11-21T20:00:00Z');
const base: UsageQuery = { fromMs: H, toMs: H + 7_200_000, filters: {}, bucket: { kind: 'hour' }, timeoutSeconds: 12 };

function whereLines(query: string): string[] {
  const where = query.slice(query.indexOf('\nWHERE ') + 7, query.indexOf('\nGROUP BY'));
  return where.split('\n  AND ').map((l) => l.trim());
}

describe('buildUsageQuery', () => {
  it('turns a filter value with quotes and backslashes into one escaped string literal', () => {
    const hostile = "x' OR 1=1 --\\";
    const lines = whereLines(buildUsageQuery({ ...base, filters: { provider: hostile } }));
    expect(lines).toContain("provider = 'x\\' OR 1=1 --\\\\'");
    // The injected OR never becomes a condition of its own.
    expect(lines.filter((l) => l.startsWith('provider'))).toHaveLength(1);
  });

  it('escapes control characters in filter values', () => {
    const lines = whereLines(buildUsageQuery({ ...base, filters: { model: 'a\nb\tc\0' } }));
    expect(lines).toContain("model = 'a\\nb\\tc\\0'");
  });

  it('adds one exact-match condition per present filter, the empty string included', () => {
    const lines = whereLines(buildUsageQuery({ ...base, filters: { gateway: 'prod', model: '' } }));
    expect(lines).toContain("gateway = 'prod'");
    expect(lines).toContain("model = ''");
    expect(lines.some((l) => l.startsWith('provider'))).toBe(false);
  });

  it('bounds ts_ms exactly (from inclusive, to exclusive) and ts with a second of slack for pruning', () => {
    const lines = whereLines(buildUsageQuery({ ...base, fromMs: H + 1500, toMs: H + 7_200_500 }));
    expect(lines).toEqual([
      `ts >= toDateTime(${(H + 1500 - 500) / 1000 - 1})`,
      `ts <= toDateTime(${(H + 7_200_500 + 500) / 1000 + 1})`,
      `ts_ms >= ${H + 1500}`,
      `ts_ms < ${H + 7_200_500}`,
    ]);
  });

  it('reads the deduplicated responses and caps execution time', () => {
    const q = buildUsageQuery(base);
    expect(q).toContain('FROM switchyard.responses FINAL\n');
    expect(q.trimEnd().endsWith('SETTINGS max_execution_time = 12')).toBe(true);
  });

  it('aliases every selected expression (18.16 names unaliased aggregates after their text)', () => {
    const q = buildUsageQuery(base);
    const select = q.slice('SELECT\n'.length, q.indexOf('\nFROM '));
    const items = select.split(',\n').map((s) => s.trim());
    expect(items.length).toBe(19);
    for (const item of items) expect(item).toMatch(/ AS [a-z_]+$/);
  });

  it('groups hourly by the UTC hour of ts_ms', () => {
    expect(buildUsageQuery(base)).toContain('intDiv(ts_ms, 3600000) * 3600000 AS bucket_key');
  });

  it('groups by price period by counting the price boundaries at or before each row', () => {
    const q = buildUsageQuery({ ...base, bucket: { kind: 'price_period', boundariesMs: [H, H + 3_600_000] } });
    expect(q).toContain(`arrayCount(b -> b <= ts_ms, [${H}, ${H + 3_600_000}]) AS bucket_key`);
    const none = buildUsageQuery({ ...base, bucket: { kind: 'price_period', boundariesMs: [] } });
    expect(none).toContain('0 AS bucket_key');
  });
});

describe('priceBoundaries', () => {
  it('rounds effective_from up to the hour whose start first sees the price, once each, in order', () => {
    const catalog = new PriceCatalog({
      version: 't',
      currency: 'USD',
      per_tokens: 1_000_000,
      entries: [
        { provider: 'p', model: 'b', effective_from: '2026-11-21T20:30:00Z', input: 1, output: 1 },
        { provider: 'p', model: 'a', effective_from: '2026-11-21T20:00:00Z', input: 1, output: 1 },
        { provider: 'q', model: 'a', effective_from: '2026-11-21T20:00:00Z', input: 1, output: 1 },
      ],
    });
    expect(priceBoundaries(catalog)).toEqual([H, H + 3_600_000]);
  });
});

describe('toUsageGroup', () => {
  const row: UsageRowJson = {
    bucket_key: '1795291200000', bucket_start_ms: '1795291200000', gateway: 'g', provider: 'openai', model: 'gpt-4o',
    requests: '3', errors: '1', sum_input_tokens: '9007199254740991', sum_cached_input_tokens: '200',
    sum_cache_write_tokens: '0', sum_output_tokens: '350', sum_reasoning_tokens: '7', catalog_requests: '2',
    catalog_input_tokens: '1500', catalog_cached_input_tokens: '200', catalog_cache_write_tokens: '0',
    catalog_output_tokens: '300', catalog_reasoning_tokens: '5', custom_cost_usd: 0.0004,
  };

  it('converts 64-bit integers that arrive as JSON strings into numbers', () => {
    expect(toUsageGroup(row)).toEqual({
      bucketStartMs: H, gateway: 'g', provider: 'openai', model: 'gpt-4o', requests: 3, errors: 1,
      tokens: { input_tokens: 9007199254740991, cached_input_tokens: 200, cache_write_tokens: 0, output_tokens: 350, reasoning_tokens: 7 },
      catalogRequests: 2,
      catalogTokens: { input_tokens: 1500, cached_input_tokens: 200, cache_write_tokens: 0, output_tokens: 300, reasoning_tokens: 5 },
      customCostUsd: 0.0004,
    });
  });

  it('refuses values that are not counts instead of turning them into NaN', () => {
    expect(() => toUsageGroup({ ...row, requests: 'abc' })).toThrow(/requests/);
    expect(() => toUsageGroup({ ...row, sum_output_tokens: '-1' })).toThrow(/sum_output_tokens/);
    expect(() => toUsageGroup({ ...row, custom_cost_usd: 'NaN' })).toThrow(/custom_cost_usd/);
  });
});
