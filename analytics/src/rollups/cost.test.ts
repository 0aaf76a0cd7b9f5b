import { describe, expect, it } from 'vitest';
import { PriceCatalog, type TokenUsage } from '@switchyard/schemas';
import { priceGroup } from './cost.ts';
import { toHourlyRows } from './hourly.ts';
import { toSummaryRows } from './summary.ts';
import type { UsageGroup } from './query.ts';

const H1 = Date.parse('2026-11-21T20:00:00Z');
const H2 = H1 + 3_600_000;
const catalog = PriceCatalog.load();

const NONE: TokenUsage = { input_tokens: 0, cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: 0, reasoning_tokens: 0 };
function usage(u: Partial<TokenUsage>): TokenUsage {
  return { ...NONE, ...u };
}
/** A group whose rows all lack a custom cost. */
function group(over: Partial<UsageGroup> & { tokens: TokenUsage }): UsageGroup {
  return {
    bucketStartMs: H1, gateway: 'g', provider: 'openai', model: 'gpt-4o', requests: 1, errors: 0,
    catalogRequests: over.requests ?? 1, catalogTokens: over.tokens, customCostUsd: 0, ...over,
  };
}

describe('priceGroup', () => {
  it('prices summed tokens per kind with the catalog (gpt-4o: input 2.5/M, cached 1.25/M, output 10/M)', () => {
    const cost = priceGroup(group({ requests: 2, tokens: usage({ input_tokens: 1500, cached_input_tokens: 200, output_tokens: 300 }) }), catalog);
    expect(cost.unpriced_requests).toBe(0);
    expect(cost.cost_usd).toBeCloseTo((1500 * 2.5 + 200 * 1.25 + 300 * 10) / 1e6, 15);
  });

  it('prices cache writes and reasoning at their own rates (claude-sonnet-4 cache_write 3.75/M)', () => {
    const cost = priceGroup(group({
      provider: 'anthropic', model: 'claude-sonnet-4',
      tokens: usage({ input_tokens: 100, cached_input_tokens: 400, cache_write_tokens: 1000, output_tokens: 10 }),
    }), catalog);
    expect(cost.cost_usd).toBeCloseTo((100 * 3 + 400 * 0.3 + 1000 * 3.75 + 10 * 15) / 1e6, 15);
  });

  it('adds the custom-cost part summed by ClickHouse and prices only the catalog tokens', () => {
    const cost = priceGroup({
      ...group({ requests: 3, tokens: usage({ input_tokens: 1600, cached_input_tokens: 200, output_tokens: 350 }) }),
      catalogRequests: 2,
      catalogTokens: usage({ input_tokens: 1500, cached_input_tokens: 200, output_tokens: 300 }),
      customCostUsd: 0.0004,
    }, catalog);
    expect(cost).toEqual({ cost_usd: expect.closeTo((1500 * 2.5 + 200 * 1.25 + 300 * 10) / 1e6 + 0.0004, 15), unpriced_requests: 0 });
  });

  it('counts requests without a catalog price or custom cost as unpriced and charges them nothing', () => {
    const cost = priceGroup(group({ provider: 'acme', model: 'acme-1', requests: 2, tokens: usage({ input_tokens: 700, output_tokens: 70 }) }), catalog);
    expect(cost).toEqual({ cost_usd: 0, unpriced_requests: 2 });
  });

  it('does not count custom-cost requests of an unknown model as unpriced', () => {
    const g = group({ provider: 'acme', model: 'acme-1', requests: 2, tokens: usage({ input_tokens: 1700, output_tokens: 1070 }) });
    const cost = priceGroup({ ...g, catalogRequests: 1, catalogTokens: usage({ input_tokens: 700, output_tokens: 70 }), customCostUsd: 0.002 }, catalog);
    expect(cost).toEqual({ cost_usd: 0.002, unpriced_requests: 1 });
  });

  it('prices a dated snapshot with the catalog entry it extends', () => {
    const cost = priceGroup(group({ model: 'gpt-4o-2024-08-06', tokens: usage({ input_tokens: 2000, output_tokens: 100 }) }), catalog);
    expect(cost.cost_usd).toBeCloseTo((2000 * 2.5 + 100 * 10) / 1e6, 15);
  });

  it('uses the price in force at the start of the group hour, so a corrected price re-prices later hours only', () => {
    const corrected = new PriceCatalog({
      version: 'corrected',
      currency: 'USD',
      per_tokens: 1_000_000,
      entries: [
        { provider: 'openai', model: 'gpt-4o', effective_from: '2024-10-01T00:00:00Z', input: 2.5, cached_input: 1.25, output: 10 },
        // Effective mid-hour: the 20:00 hour keeps the old price, 21:00 gets the new one.
        { provider: 'openai', model: 'gpt-4o', effective_from: '2026-11-21T20:30:00Z', input: 5, output: 20 },
      ],
    });
    const tokens = usage({ input_tokens: 10, output_tokens: 20 });
    expect(priceGroup(group({ bucketStartMs: H1, tokens }), corrected).cost_usd).toBeCloseTo((10 * 2.5 + 20 * 10) / 1e6, 15);
    expect(priceGroup(group({ bucketStartMs: H2, tokens }), corrected).cost_usd).toBeCloseTo((10 * 5 + 20 * 20) / 1e6, 15);
  });

  it('finds no price before a model entered the catalog', () => {
    const cost = priceGroup(group({ bucketStartMs: Date.parse('2024-01-01T00:00:00Z'), tokens: usage({ input_tokens: 5 }) }), catalog);
    expect(cost).toEqual({ cost_usd: 0, unpriced_requests: 1 });
  });
});

describe('rollup rows from groups', () => {
  const groups: UsageGroup[] = [
    group({ bucketStartMs: H1, provider: 'openai', model: 'gpt-4o', requests: 2, errors: 1, tokens: usage({ input_tokens: 1000, output_tokens: 100 }) }),
    group({ bucketStartMs: H1, provider: 'acme', model: 'acme-1', tokens: usage({ input_tokens: 7 }) }),
    group({ bucketStartMs: H2, provider: 'openai', model: 'gpt-4o-mini', tokens: usage({ input_tokens: 1_000_000, output_tokens: 1_000_000 }) }),
    group({ bucketStartMs: H2, gateway: 'a-first', provider: 'openai', model: 'gpt-4o', tokens: usage({ output_tokens: 1 }) }),
  ];

  it('turns each hourly group into a row with its hour, measures and cost', () => {
    const rows = toHourlyRows(groups.slice(0, 1), catalog);
    expect(rows).toEqual([{
      hour: '2026-11-21T20:00:00Z', gateway: 'g', provider: 'openai', model: 'gpt-4o',
      requests: 2, errors: 1, input_tokens: 1000, cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: 100, reasoning_tokens: 0,
      cost_usd: expect.closeTo((1000 * 2.5 + 100 * 10) / 1e6, 15), unpriced_requests: 0,
    }]);
  });

  it('totals groups per gateway and provider, sorted by gateway then provider', () => {
    const rows = toSummaryRows(groups, catalog);
    expect(rows.map((r) => [r.gateway, r.provider])).toEqual([['a-first', 'openai'], ['g', 'acme'], ['g', 'openai']]);
    const openai = rows[2];
    expect(openai).toEqual({
      gateway: 'g', provider: 'openai', requests: 3, errors: 1,
      input_tokens: 1_001_000, cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: 1_000_100, reasoning_tokens: 0,
      cost_usd: expect.closeTo((1000 * 2.5 + 100 * 10) / 1e6 + (0.15 + 0.6), 12), unpriced_requests: 0,
    });
    expect(rows[1]).toMatchObject({ provider: 'acme', requests: 1, cost_usd: 0, unpriced_requests: 1 });
  });
});
