import { describe, expect, it } from 'vitest';
import { costOf, customCostOf, PriceCatalog } from './pricing.ts';

const catalog = new PriceCatalog({
  version: 't', currency: 'USD', per_tokens: 1_000_000,
  entries: [
    { provider: 'openai', model: 'gpt-4o', effective_from: '2024-01-01T00:00:00Z', input: 5, output: 15 },
    { provider: 'openai', model: 'gpt-4o', effective_from: '2024-10-01T00:00:00Z', input: 2.5, cached_input: 1.25, output: 10 },
    { provider: 'openai', model: 'gpt-4o-mini', effective_from: '2024-07-18T00:00:00Z', input: 0.15, output: 0.6 },
    { provider: 'anthropic', model: 'claude-sonnet-4', effective_from: '2025-05-22T00:00:00Z', input: 3, cached_input: 0.3, cache_write: 3.75, output: 15 },
  ],
});
const usage = { input_tokens: 1_000_000, cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: 0, reasoning_tokens: 0 };

describe('PriceCatalog', () => {
  it('picks the entry in force at the time (versioned prices)', () => {
    expect(catalog.priceAt('openai', 'gpt-4o', Date.parse('2024-06-01'))?.input).toBeCloseTo(5e-6);
    expect(catalog.priceAt('openai', 'gpt-4o', Date.parse('2025-01-01'))?.input).toBeCloseTo(2.5e-6);
    expect(catalog.priceAt('openai', 'gpt-4o', Date.parse('2023-01-01'))).toBeUndefined();
  });

  it('matches dated snapshots by the longest model prefix', () => {
    expect(catalog.priceAt('openai', 'gpt-4o-mini-2024-07-18', Date.parse('2025-01-01'))?.model).toBe('gpt-4o-mini');
    expect(catalog.priceAt('openai', 'gpt-4o-2024-08-06', Date.parse('2025-01-01'))?.model).toBe('gpt-4o');
    expect(catalog.priceAt('openai', 'gpt-4', Date.parse('2025-01-01'))).toBeUndefined();
  });

  it('defaults cached and cache-write prices to input, reasoning to output', () => {
    const p = catalog.priceAt('openai', 'gpt-4o-mini', Date.parse('2025-01-01'))!;
    expect(p.cachedInput).toBe(p.input);
    expect(p.cacheWrite).toBe(p.input);
    expect(p.reasoning).toBe(p.output);
  });

  it('loads the shipped catalog', () => {
    expect(PriceCatalog.load().entries().length).toBeGreaterThan(5);
  });
});

describe('costOf', () => {
  it('prices every token kind at its own rate', () => {
    const p = catalog.priceAt('anthropic', 'claude-sonnet-4', Date.parse('2025-06-01'))!;
    const c = costOf({ input_tokens: 1000, cached_input_tokens: 2000, cache_write_tokens: 3000, output_tokens: 400, reasoning_tokens: 0 }, p);
    expect(c).toBeCloseTo((1000 * 3 + 2000 * 0.3 + 3000 * 3.75 + 400 * 15) / 1e6, 12);
  });
  it('prices reasoning inside output at the reasoning rate', () => {
    const p = { ...catalog.priceAt('openai', 'gpt-4o', Date.parse('2025-01-01'))!, reasoning: 20e-6 };
    expect(costOf({ ...usage, input_tokens: 0, output_tokens: 100, reasoning_tokens: 40 }, p)).toBeCloseTo((60 * 10 + 40 * 20) / 1e6, 12);
  });
  it('custom cost overrides per token in and out', () => {
    expect(customCostOf({ ...usage, input_tokens: 10, cached_input_tokens: 5, output_tokens: 3 }, 0.001, 0.002)).toBeCloseTo(15 * 0.001 + 3 * 0.002);
  });
});
