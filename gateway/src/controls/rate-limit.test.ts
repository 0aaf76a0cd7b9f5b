import { describe, expect, it } from 'vitest';
import { RateLimiter, type RateLimitRule, type RequestScope } from './rate-limit.ts';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

const scope = (over: Partial<RequestScope> = {}): RequestScope => ({
  gateway: 'default', token: 'tok-a', provider: 'openai', model: 'gpt-4o', metadata: {}, ...over,
});

const rule = (over: Partial<RateLimitRule> & Pick<RateLimitRule, 'id'>): RateLimitRule => ({
  scope: 'gateway', kind: 'requests', limit: 3, window_ms: 1000, technique: 'fixed', ...over,
});

/** Small deterministic PRNG (mulberry32) so the randomized scenarios replay identically. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('RateLimiter fixed windows', () => {
  it('admits limit requests per window, then refuses until the window ends', () => {
    const c = clock(10_250);
    const rl = new RateLimiter([rule({ id: 'g' })], { now: c.now });
    for (let i = 0; i < 3; i++) expect(rl.admit(scope())).toEqual({ ok: true });
    expect(rl.admit(scope())).toEqual({ ok: false, rule: 'g', retryAfterMs: 750 });
    c.t = 10_999;
    expect(rl.admit(scope())).toEqual({ ok: false, rule: 'g', retryAfterMs: 1 });
    c.t = 11_000;
    expect(rl.admit(scope()).ok).toBe(true);
  });
  it('aligns windows to multiples of window_ms since the epoch (all nodes roll together)', () => {
    const c = clock(1999);
    const rl = new RateLimiter([rule({ id: 'g', limit: 1 })], { now: c.now });
    expect(rl.admit(scope()).ok).toBe(true);
    expect(rl.admit(scope()).ok).toBe(false);
    c.t = 2000;
    expect(rl.admit(scope()).ok).toBe(true);
  });
  it('does not count a request that another rule refused (no partial counting)', () => {
    const rl = new RateLimiter([rule({ id: 'g', limit: 2 }), rule({ id: 'p', scope: 'provider', limit: 1 })], { now: clock().now });
    expect(rl.admit(scope({ provider: 'openai' })).ok).toBe(true);
    expect(rl.admit(scope({ provider: 'openai' }))).toMatchObject({ ok: false, rule: 'p' });
    expect(rl.admit(scope({ provider: 'openai' }))).toMatchObject({ ok: false, rule: 'p' });
    // the refused requests did not use the gateway rule's quota
    expect(rl.admit(scope({ provider: 'anthropic' })).ok).toBe(true);
    expect(rl.admit(scope({ provider: 'groq' }))).toMatchObject({ ok: false, rule: 'g' });
  });
  it('names the refusing rule with the longest wait', () => {
    const c = clock(0);
    const rl = new RateLimiter([rule({ id: 'short', limit: 1, window_ms: 1000 }), rule({ id: 'long', limit: 1, window_ms: 60_000 })], { now: c.now });
    rl.admit(scope());
    c.t = 100;
    expect(rl.admit(scope())).toEqual({ ok: false, rule: 'long', retryAfterMs: 59_900 });
  });
  it('keeps counting in the current window when the clock steps back', () => {
    const c = clock(5_500);
    const rl = new RateLimiter([rule({ id: 'g', limit: 2 })], { now: c.now });
    rl.admit(scope());
    rl.admit(scope());
    c.t = 4_900;
    expect(rl.admit(scope()).ok).toBe(false);
  });
  it('refuses everything with limit 0', () => {
    const rl = new RateLimiter([rule({ id: 'g', limit: 0 }), rule({ id: 's', limit: 0, technique: 'sliding' })], { now: clock().now });
    expect(rl.admit(scope()).ok).toBe(false);
  });
});

describe('RateLimiter scopes', () => {
  it('keeps a separate counter per token, and does not apply token rules without a token', () => {
    const rl = new RateLimiter([rule({ id: 't', scope: 'token', limit: 1 })], { now: clock().now });
    expect(rl.admit(scope({ token: 'a' })).ok).toBe(true);
    expect(rl.admit(scope({ token: 'a' })).ok).toBe(false);
    expect(rl.admit(scope({ token: 'b' })).ok).toBe(true);
    for (let i = 0; i < 5; i++) expect(rl.admit(scope({ token: null })).ok).toBe(true);
  });
  it('applies a metadata rule only when the key is present, one counter per value', () => {
    const rl = new RateLimiter([rule({ id: 'user', scope: 'metadata', metadata_key: 'user', limit: 1 })], { now: clock().now });
    expect(rl.admit(scope({ metadata: { user: 'u1' } })).ok).toBe(true);
    expect(rl.admit(scope({ metadata: { user: 'u1' } })).ok).toBe(false);
    expect(rl.admit(scope({ metadata: { user: 'u2' } })).ok).toBe(true);
    for (let i = 0; i < 3; i++) expect(rl.admit(scope({ metadata: { team: 'x' } })).ok).toBe(true);
  });
  it('does not read inherited members as metadata (key "constructor")', () => {
    const rl = new RateLimiter([rule({ id: 'c', scope: 'metadata', metadata_key: 'constructor', limit: 0 })], { now: clock().now });
    expect(rl.admit(scope()).ok).toBe(true);
    expect(rl.admit(scope({ metadata: { constructor: 'x' } })).ok).toBe(false);
  });
  it('keys model rules by provider/model and provider rules by provider', () => {
    const rl = new RateLimiter([rule({ id: 'm', scope: 'model', limit: 1 })], { now: clock().now });
    expect(rl.admit(scope({ provider: 'openai', model: 'gpt-4o' })).ok).toBe(true);
    expect(rl.admit(scope({ provider: 'openai', model: 'gpt-4o' })).ok).toBe(false);
    expect(rl.admit(scope({ provider: 'azure-openai', model: 'gpt-4o' })).ok).toBe(true);
    expect(rl.admit(scope({ provider: 'openai', model: 'gpt-4o-mini' })).ok).toBe(true);
  });
  it('gives two rules with the same scope their own counters', () => {
    const rl = new RateLimiter([rule({ id: 'a', limit: 2 }), rule({ id: 'b', limit: 3 })], { now: clock().now });
    expect(rl.admit(scope()).ok).toBe(true);
    expect(rl.admit(scope()).ok).toBe(true);
    expect(rl.admit(scope())).toMatchObject({ ok: false, rule: 'a' });
    expect(rl.keyCounts()).toEqual({ a: 1, b: 1 });
  });
});

describe('RateLimiter sliding windows', () => {
  it('weights the previous window by the fraction of the current window still to run', () => {
    const c = clock(0);
    const rl = new RateLimiter([rule({ id: 's', limit: 10, technique: 'sliding' })], { now: c.now });
    for (let i = 0; i < 10; i++) expect(rl.admit(scope()).ok).toBe(true);
    c.t = 1300; // estimate = 10 × 0.7 + 0 = 7 → 3 more fit
    for (let i = 0; i < 3; i++) expect(rl.admit(scope()).ok).toBe(true);
    // estimate 10 × 0.7 + 3 = 10: the next needs 10 × (1 - f) + 3 + 1 ≤ 10 → f ≥ 0.4 → t = 1400
    expect(rl.admit(scope())).toEqual({ ok: false, rule: 's', retryAfterMs: 100 });
    c.t = 1399;
    expect(rl.admit(scope()).ok).toBe(false);
    c.t = 1400;
    expect(rl.admit(scope()).ok).toBe(true);
  });
  it('computes the wait into the next window when the current one is already full', () => {
    const c = clock(0);
    const rl = new RateLimiter([rule({ id: 's', limit: 4, technique: 'sliding' })], { now: c.now });
    c.t = 1000; // no previous traffic: 4 fit in the current window
    for (let i = 0; i < 4; i++) expect(rl.admit(scope()).ok).toBe(true);
    c.t = 1200;
    // next window (starts 2000): 4 × (1 - f) + 1 ≤ 4 → f ≥ 0.25 → 2250
    expect(rl.admit(scope())).toEqual({ ok: false, rule: 's', retryAfterMs: 1050 });
    c.t = 2249;
    expect(rl.admit(scope()).ok).toBe(false);
    c.t = 2250;
    expect(rl.admit(scope()).ok).toBe(true);
  });
  it('forgets the previous window when a whole window passed without traffic', () => {
    const c = clock(0);
    const rl = new RateLimiter([rule({ id: 's', limit: 2, technique: 'sliding' })], { now: c.now });
    rl.admit(scope());
    rl.admit(scope());
    c.t = 2100;
    expect(rl.admit(scope()).ok).toBe(true);
    expect(rl.admit(scope()).ok).toBe(true);
  });
  it('retryAfterMs is exact: refused 1 ms earlier, admitted at the time given (randomized)', () => {
    for (const technique of ['fixed', 'sliding'] as const) {
      for (const kind of ['requests', 'tokens'] as const) {
        const random = prng(technique.length * 7 + kind.length);
        const c = clock(123_456);
        const rl = new RateLimiter([rule({ id: 'r', technique, kind, limit: kind === 'tokens' ? 500 : 7, window_ms: 997 })], { now: c.now });
        let refusals = 0;
        for (let step = 0; step < 3000; step++) {
          c.t += Math.floor(random() * 40);
          const a = rl.admit(scope());
          if (a.ok) {
            if (kind === 'tokens') rl.addTokens(scope(), 1 + Math.floor(random() * 120));
            continue;
          }
          refusals++;
          expect(a.retryAfterMs).toBeGreaterThanOrEqual(1);
          const at = c.t + a.retryAfterMs;
          c.t = at - 1;
          if (a.retryAfterMs > 1) expect(rl.admit(scope()).ok, `${technique}/${kind} early at ${c.t}`).toBe(false);
          c.t = at;
          const again = rl.admit(scope());
          expect(again.ok, `${technique}/${kind} at ${at}`).toBe(true);
          if (kind === 'tokens') rl.addTokens(scope(), 1 + Math.floor(random() * 120));
        }
        expect(refusals).toBeGreaterThan(50);
      }
    }
  });
});

describe('RateLimiter token rules', () => {
  it('admits while the window has used fewer tokens than the limit; tokens are added afterwards', () => {
    const c = clock(0);
    const rl = new RateLimiter([rule({ id: 'tok', kind: 'tokens', limit: 100 })], { now: c.now });
    expect(rl.admit(scope()).ok).toBe(true);
    expect(rl.admit(scope()).ok).toBe(true); // admit alone never spends tokens
    rl.addTokens(scope(), 60);
    expect(rl.admit(scope()).ok).toBe(true);
    rl.addTokens(scope(), 50);
    c.t = 400;
    expect(rl.admit(scope())).toEqual({ ok: false, rule: 'tok', retryAfterMs: 600 });
    c.t = 1000;
    expect(rl.admit(scope()).ok).toBe(true);
  });
  it('adds tokens only to token rules whose scope applies', () => {
    const rl = new RateLimiter(
      [rule({ id: 'req', limit: 2 }), rule({ id: 'tok', scope: 'token', kind: 'tokens', limit: 10 })],
      { now: clock().now },
    );
    rl.addTokens(scope({ token: 'a' }), 10);
    rl.addTokens(scope({ token: null }), 1000); // no token: the token-scoped rule does not apply
    expect(rl.admit(scope({ token: 'b' })).ok).toBe(true); // the request rule saw no requests from addTokens
    expect(rl.admit(scope({ token: 'a' }))).toMatchObject({ ok: false, rule: 'tok' });
  });
  it('ignores zero, negative and non-finite token counts', () => {
    const rl = new RateLimiter([rule({ id: 'tok', kind: 'tokens', limit: 1 })], { now: clock().now });
    rl.addTokens(scope(), 0);
    rl.addTokens(scope(), -5);
    rl.addTokens(scope(), Number.NaN);
    rl.addTokens(scope(), Number.POSITIVE_INFINITY);
    expect(rl.admit(scope()).ok).toBe(true);
  });
});

describe('RateLimiter memory bound', () => {
  it('keeps at most maxKeys counters per rule, evicting the least recently used', () => {
    const c = clock(0);
    const rl = new RateLimiter([rule({ id: 't', scope: 'token', limit: 1, window_ms: 60_000 })], { now: c.now, maxKeys: 2 });
    const at = (t: number, token: string) => {
      c.t = t;
      return rl.admit(scope({ token })).ok;
    };
    expect(at(0, 'a')).toBe(true);
    expect(at(1000, 'b')).toBe(true);
    expect(at(2000, 'a')).toBe(false); // uses a: b is now the least recent
    expect(at(3000, 'c')).toBe(true); // evicts b
    expect(rl.keyCounts()).toEqual({ t: 2 });
    expect(at(4000, 'a')).toBe(false); // a kept its count
    expect(at(5000, 'b')).toBe(true); // b was forgotten
  });
  it('refreshes recency at most once a second per key (cheap checks), so eviction order is right to a second', () => {
    const c = clock(0);
    const rl = new RateLimiter([rule({ id: 't', scope: 'token', limit: 1, window_ms: 60_000 })], { now: c.now, maxKeys: 2 });
    rl.admit(scope({ token: 'a' }));
    c.t = 10;
    rl.admit(scope({ token: 'b' }));
    c.t = 500;
    rl.admit(scope({ token: 'a' })); // within a second of a's last refresh: order stays a, b
    c.t = 600;
    rl.admit(scope({ token: 'c' })); // evicts a
    expect(rl.admit(scope({ token: 'a' })).ok).toBe(true);
  });
  it('stays bounded under a flood of distinct values', () => {
    const rl = new RateLimiter([rule({ id: 'u', scope: 'metadata', metadata_key: 'user', limit: 5 })], { now: clock().now, maxKeys: 1000 });
    for (let i = 0; i < 20_000; i++) rl.admit(scope({ metadata: { user: `u${i}` } }));
    expect(rl.keyCounts()).toEqual({ u: 1000 });
  });
});

describe('RateLimiter config checks', () => {
  it('rejects duplicate ids, metadata rules without a key, bad limits and windows', () => {
    expect(() => new RateLimiter([rule({ id: 'a' }), rule({ id: 'a' })])).toThrow(/duplicate/);
    expect(() => new RateLimiter([rule({ id: 'm', scope: 'metadata' })])).toThrow(/metadata_key/);
    expect(() => new RateLimiter([rule({ id: 'l', limit: -1 })])).toThrow(/limit/);
    expect(() => new RateLimiter([rule({ id: 'w', window_ms: 0 })])).toThrow(/window_ms/);
    expect(() => new RateLimiter([rule({ id: 'w', window_ms: 1.5 })])).toThrow(/window_ms/);
    expect(() => new RateLimiter([], { maxKeys: 0 })).toThrow(/maxKeys/);
  });
});
