import { PriceCatalog } from '@switchyard/schemas';
import { describe, expect, it } from 'vitest';
import { BudgetLedger, estimateCost, estimateTokens, estimateUsd, type BudgetRule, type BudgetScope, type Reservation } from './budget.ts';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

const scope = (over: Partial<BudgetScope> = {}): BudgetScope => ({ gateway: 'default', provider: 'openai', model: 'gpt-4o', metadata: {}, ...over });
const rule = (over: Partial<BudgetRule> & Pick<BudgetRule, 'id'>): BudgetRule => ({ scope: 'gateway', limit_usd: 1, window_ms: 86_400_000, ...over });

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function reserved(ledger: BudgetLedger, s = scope()) {
  const [st] = ledger.status(s);
  return st!.spentUsd + st!.reservedUsd;
}

describe('BudgetLedger admission', () => {
  it('admits while spent + reserved + estimate stays within the limit', () => {
    const ledger = new BudgetLedger([rule({ id: 'g' })], { now: clock().now });
    expect(ledger.reserve(scope(), 0.4).ok).toBe(true);
    expect(ledger.reserve(scope(), 0.6).ok).toBe(true);
    expect(ledger.reserve(scope(), 0.01)).toMatchObject({ ok: false, rule: 'g', spentUsd: 0, reservedUsd: 1, limitUsd: 1 });
  });
  it('never admits more than a $1 budget allows under 1,000 concurrent reservations', async () => {
    const random = prng(42);
    const ledger = new BudgetLedger([rule({ id: 'g', limit_usd: 1 })], { now: clock().now });
    let maxCommitted = 0;
    let admitted = 0;
    let settledUsd = 0;
    const request = async () => {
      const est = 0.0005 + random() * 0.0045;
      const r = ledger.reserve(scope(), est);
      if (!r.ok) return;
      admitted++;
      maxCommitted = Math.max(maxCommitted, reserved(ledger));
      // the upstream call: a random number of event-loop turns, interleaving with other requests
      for (let i = Math.floor(random() * 20); i > 0; i--) await Promise.resolve();
      if (random() < 0.1) return ledger.release(r.reservation);
      const actual = est * (0.5 + random() * 0.5); // real cost at most the estimate
      settledUsd += actual;
      ledger.settle(r.reservation, actual);
    };
    await Promise.all(Array.from({ length: 1000 }, request));
    expect(maxCommitted).toBeLessThanOrEqual(1);
    expect(settledUsd).toBeLessThanOrEqual(1);
    expect(ledger.status(scope())[0]).toMatchObject({ reservedUsd: 0 });
    expect(ledger.status(scope())[0]!.spentUsd).toBeCloseTo(settledUsd, 12);
    expect(admitted).toBeGreaterThan(300); // the budget was used, not refused wholesale
    expect(admitted).toBeLessThan(1000);
  });
  it('admits exactly floor(limit / estimate) when nothing settles', () => {
    const ledger = new BudgetLedger([rule({ id: 'g', limit_usd: 1 })], { now: clock().now });
    let ok = 0;
    for (let i = 0; i < 1000; i++) if (ledger.reserve(scope(), 0.003).ok) ok++;
    expect(ok).toBe(333);
  });
  it('refuses every request once the budget is used up, even with a zero estimate (unpriced model)', () => {
    const ledger = new BudgetLedger([rule({ id: 'g', limit_usd: 1 })], { now: clock().now });
    expect(ledger.reserve(scope(), 0).ok).toBe(true);
    const r = ledger.reserve(scope(), 0.5);
    ledger.settle(r.ok ? r.reservation : (undefined as never), 1);
    expect(ledger.reserve(scope(), 0).ok).toBe(false);
    expect(new BudgetLedger([rule({ id: 'zero', limit_usd: 0 })]).reserve(scope(), 0).ok).toBe(false);
  });
  it('reserves against every applicable rule, all or nothing', () => {
    const ledger = new BudgetLedger([rule({ id: 'g', limit_usd: 10 }), rule({ id: 'm', scope: 'model', limit_usd: 1 })], { now: clock().now });
    expect(ledger.reserve(scope(), 0.8).ok).toBe(true);
    expect(ledger.reserve(scope(), 0.8)).toMatchObject({ ok: false, rule: 'm' });
    // the refused request reserved nothing against the gateway rule
    expect(ledger.status(scope()).map((s) => [s.rule, s.reservedUsd])).toEqual([['g', 0.8], ['m', 0.8]]);
    expect(ledger.reserve(scope({ model: 'gpt-4o-mini' }), 0.8).ok).toBe(true);
  });
});

describe('BudgetLedger settle and release', () => {
  it('replaces the reservation with the real cost on settle', () => {
    const ledger = new BudgetLedger([rule({ id: 'g' })], { now: clock().now });
    const r = ledger.reserve(scope(), 0.9);
    expect(ledger.reserve(scope(), 0.2).ok).toBe(false);
    ledger.settle((r as { reservation: Reservation }).reservation, 0.1);
    expect(ledger.status(scope())[0]).toMatchObject({ spentUsd: 0.1, reservedUsd: 0 });
    expect(ledger.reserve(scope(), 0.2).ok).toBe(true);
  });
  it('gives the reservation back on release, with no spend', () => {
    const ledger = new BudgetLedger([rule({ id: 'g' })], { now: clock().now });
    const r = ledger.reserve(scope(), 1);
    ledger.release((r as { reservation: Reservation }).reservation);
    expect(ledger.status(scope())[0]).toMatchObject({ spentUsd: 0, reservedUsd: 0 });
  });
  it('ignores a second settle or release of the same reservation', () => {
    const ledger = new BudgetLedger([rule({ id: 'g' })], { now: clock().now });
    const keep = ledger.reserve(scope(), 0.3) as { reservation: Reservation };
    const r = (ledger.reserve(scope(), 0.3) as { reservation: Reservation }).reservation;
    ledger.settle(r, 0.2);
    ledger.settle(r, 0.2);
    ledger.release(r);
    expect(ledger.status(scope())[0]).toMatchObject({ spentUsd: 0.2, reservedUsd: 0.3 });
    expect(keep.reservation.ruleIds).toEqual(['g']);
  });
  it('ignores a reservation made by another ledger', () => {
    const a = new BudgetLedger([rule({ id: 'g' })]);
    const b = new BudgetLedger([rule({ id: 'g' })]);
    const r = (a.reserve(scope(), 0.5) as { reservation: Reservation }).reservation;
    b.settle(r, 0.5);
    expect(b.status(scope())[0]).toMatchObject({ spentUsd: 0 });
    expect(a.status(scope())[0]).toMatchObject({ reservedUsd: 0.5 });
  });
  it('returns reservedUsd to exactly 0 after many float reserve/release cycles', () => {
    const ledger = new BudgetLedger([rule({ id: 'g' })], { now: clock().now });
    const open: Reservation[] = [];
    for (let i = 0; i < 1000; i++) {
      const r = ledger.reserve(scope(), 0.1 + (i % 7) * 0.01);
      if (r.ok) open.push(r.reservation);
      if (open.length > 3) ledger.release(open.shift()!);
    }
    for (const r of open) ledger.release(r);
    expect(ledger.status(scope())[0]!.reservedUsd).toBe(0);
  });
});

describe('BudgetLedger windows', () => {
  it('starts each aligned window with nothing spent; Retry-After is the window end', () => {
    const c = clock(3_600_000 * 5 + 1000);
    const ledger = new BudgetLedger([rule({ id: 'h', window_ms: 3_600_000 })], { now: c.now });
    ledger.settle((ledger.reserve(scope(), 0.5) as { reservation: Reservation }).reservation, 1);
    expect(ledger.reserve(scope(), 0.1)).toEqual({ ok: false, rule: 'h', retryAfterMs: 3_599_000, spentUsd: 1, reservedUsd: 0, limitUsd: 1 });
    c.t = 3_600_000 * 6;
    expect(ledger.reserve(scope(), 0.1).ok).toBe(true);
  });
  it('asks for a short Retry-After when only in-flight reservations block', () => {
    const ledger = new BudgetLedger([rule({ id: 'g' })], { now: clock().now, inflightRetryMs: 2000 });
    ledger.reserve(scope(), 0.9);
    expect(ledger.reserve(scope(), 0.2)).toMatchObject({ ok: false, retryAfterMs: 2000 });
  });
  it('settles a reservation carried across a window boundary into the new window', () => {
    const c = clock(0);
    const ledger = new BudgetLedger([rule({ id: 'g', window_ms: 1000 })], { now: c.now });
    const r = (ledger.reserve(scope(), 0.6) as { reservation: Reservation }).reservation;
    c.t = 1500;
    expect(ledger.reserve(scope(), 0.6).ok).toBe(false); // the in-flight 0.6 still counts
    ledger.settle(r, 0.5);
    expect(ledger.status(scope())[0]).toMatchObject({ spentUsd: 0.5, reservedUsd: 0 });
  });
});

describe('BudgetLedger scopes', () => {
  it('keeps a budget per value when match is absent, and one value only with match', () => {
    const ledger = new BudgetLedger(
      [rule({ id: 'per-provider', scope: 'provider', limit_usd: 1 }), rule({ id: 'opus', scope: 'model', match: 'anthropic/claude-opus-4', limit_usd: 0.5 })],
      { now: clock().now },
    );
    expect(ledger.reserve(scope({ provider: 'openai' }), 1).ok).toBe(true);
    expect(ledger.reserve(scope({ provider: 'anthropic', model: 'claude-sonnet-4' }), 0.9).ok).toBe(true);
    expect(ledger.reserve(scope({ provider: 'groq' }), 1).ok).toBe(true);
    expect(ledger.reserve(scope({ provider: 'anthropic', model: 'claude-opus-4' }), 0.2)).toMatchObject({ ok: false, rule: 'per-provider' });
    const fresh = new BudgetLedger([rule({ id: 'opus', scope: 'model', match: 'anthropic/claude-opus-4', limit_usd: 0.5 })]);
    expect(fresh.reserve(scope({ provider: 'anthropic', model: 'claude-opus-4' }), 0.6)).toMatchObject({ ok: false, rule: 'opus' });
    expect(fresh.reserve(scope({ provider: 'anthropic', model: 'claude-sonnet-4' }), 0.6).ok).toBe(true);
  });
  it('applies a metadata budget only when the key is present', () => {
    const ledger = new BudgetLedger([rule({ id: 'team', scope: 'metadata', metadata_key: 'team', limit_usd: 0.1 })]);
    expect(ledger.reserve(scope(), 5).ok).toBe(true);
    expect(ledger.reserve(scope({ metadata: { team: 'a' } }), 0.2).ok).toBe(false);
    expect(ledger.reserve(scope({ metadata: { team: 'a' } }), 0.1).ok).toBe(true);
    expect(ledger.reserve(scope({ metadata: { constructor: 'x' } }), 5).ok).toBe(true);
  });
  it('keeps at most maxKeys buckets per rule', () => {
    const ledger = new BudgetLedger([rule({ id: 'u', scope: 'metadata', metadata_key: 'user' })], { maxKeys: 100 });
    for (let i = 0; i < 5000; i++) ledger.reserve(scope({ metadata: { user: `u${i}` } }), 0.01);
    expect(ledger.keyCounts()).toEqual({ u: 100 });
  });
  it('rejects bad rules and bad estimates', () => {
    expect(() => new BudgetLedger([rule({ id: 'a' }), rule({ id: 'a' })])).toThrow(/duplicate/);
    expect(() => new BudgetLedger([rule({ id: 'm', scope: 'metadata' })])).toThrow(/metadata_key/);
    expect(() => new BudgetLedger([rule({ id: 'l', limit_usd: Number.NaN })])).toThrow(/limit_usd/);
    expect(() => new BudgetLedger([rule({ id: 'w', window_ms: 0 })])).toThrow(/window_ms/);
    expect(() => new BudgetLedger([]).reserve(scope(), -1)).toThrow(RangeError);
    expect(() => new BudgetLedger([]).reserve(scope(), Number.NaN)).toThrow(RangeError);
  });
});

describe('estimateTokens', () => {
  it('estimates input as text characters / 4 and output from max_tokens', () => {
    const body = { model: 'gpt-4o', max_tokens: 50, messages: [{ role: 'user', content: 'x'.repeat(396) }] };
    // 396 chars of content + "user" (4) = 400 chars → 100 tokens
    expect(estimateTokens(body)).toEqual({ input: 100, output: 50 });
  });
  it('reads every provider output-limit field, in order', () => {
    expect(estimateTokens({ max_completion_tokens: 70 }).output).toBe(70);
    expect(estimateTokens({ max_output_tokens: 80 }).output).toBe(80);
    expect(estimateTokens({ generationConfig: { maxOutputTokens: 90 } }).output).toBe(90);
    expect(estimateTokens({ max_tokens: 10, max_completion_tokens: 70 }).output).toBe(10);
  });
  it('uses the default output when the request sets no limit, configurable', () => {
    expect(estimateTokens({ messages: [] }).output).toBe(1024);
    expect(estimateTokens({ messages: [] }, { defaultOutputTokens: 256 }).output).toBe(256);
  });
  it('multiplies output by n choices', () => {
    expect(estimateTokens({ max_tokens: 100, n: 3 }).output).toBe(300);
  });
  it('counts text in nested content parts, system prompts and tools, but not images or the model id', () => {
    const body = {
      model: 'claude-sonnet-4-5-very-long-model-name',
      system: 'abcd',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'efgh' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(100_000) } }] },
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,' + 'B'.repeat(100_000) } }] },
      ],
      tools: [{ name: 'ijkl' }],
    };
    const est = estimateTokens(body, { charsPerToken: 1 });
    // abcd + user + text + efgh + user + image + base64 + image/png + image_url + ijkl: short strings only
    expect(est.input).toBeLessThan(100);
    expect(est.input).toBeGreaterThanOrEqual(12);
  });
  it('copes with non-object bodies', () => {
    expect(estimateTokens('hello world!')).toEqual({ input: 3, output: 1024 });
    expect(estimateTokens(null)).toEqual({ input: 0, output: 1024 });
  });
});

describe('estimateUsd / estimateCost', () => {
  const catalog = new PriceCatalog({
    version: 'test',
    currency: 'USD',
    per_tokens: 1_000_000,
    entries: [
      { provider: 'openai', model: 'gpt-4o', effective_from: '2024-01-01T00:00:00Z', input: 5, output: 15 },
      { provider: 'openai', model: 'gpt-4o', effective_from: '2025-01-01T00:00:00Z', input: 2.5, output: 10 },
    ],
  });
  const at2025 = Date.parse('2025-06-01T00:00:00Z');
  it('prices the estimate at the catalog price in force', () => {
    expect(estimateUsd(catalog, 'openai', 'gpt-4o', { input: 1000, output: 100 }, at2025)).toBeCloseTo(1000 * 2.5e-6 + 100 * 10e-6, 15);
    expect(estimateUsd(catalog, 'openai', 'gpt-4o', { input: 1000, output: 100 }, Date.parse('2024-06-01T00:00:00Z'))).toBeCloseTo(1000 * 5e-6 + 100 * 15e-6, 15);
  });
  it('is undefined for an unpriced model', () => {
    expect(estimateUsd(catalog, 'openai', 'mystery', { input: 1, output: 1 }, at2025)).toBeUndefined();
    expect(estimateCost(catalog, 'groq', 'x', { messages: [] }, at2025)).toBeUndefined();
  });
  it('estimates a request body end to end', () => {
    const body = { model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user', content: 'x'.repeat(3996) }] };
    expect(estimateCost(catalog, 'openai', 'gpt-4o-2024-08-06', body, at2025)).toBeCloseTo(1000 * 2.5e-6 + 100 * 10e-6, 15);
  });
});
