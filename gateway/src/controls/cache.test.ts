import { describe, expect, it } from 'vitest';
import { cachedResponseBytes, cacheKey, ResponseCache, type CachedResponse } from './cache.ts';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

const resp = (bodyBytes: number, over: Partial<CachedResponse> = {}): CachedResponse => ({
  status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.alloc(bodyBytes, 120), model: 'gpt-4o', ...over,
});

const base = { maxBytes: 100_000, defaultTtlMs: 60_000, minTtlMs: 1_000, maxTtlMs: 3_600_000 };

describe('cacheKey', () => {
  const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], temperature: 0 };
  it('is a sha256 hex digest', () => {
    expect(cacheKey({ provider: 'openai', path: '/chat/completions', body })).toMatch(/^[0-9a-f]{64}$/);
  });
  it('does not depend on object key order, at any depth', () => {
    const reordered = { temperature: 0, messages: [{ content: 'hi', role: 'user' }], model: 'gpt-4o' };
    expect(cacheKey({ provider: 'openai', path: '/chat/completions', body: reordered })).toBe(cacheKey({ provider: 'openai', path: '/chat/completions', body }));
  });
  it('depends on array order, values, provider and path', () => {
    const k = cacheKey({ provider: 'openai', path: '/chat/completions', body });
    const two = { messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] };
    const swapped = { messages: [{ role: 'user', content: 'b' }, { role: 'user', content: 'a' }] };
    expect(cacheKey({ provider: 'openai', path: '/p', body: two })).not.toBe(cacheKey({ provider: 'openai', path: '/p', body: swapped }));
    expect(cacheKey({ provider: 'openai', path: '/chat/completions', body: { ...body, temperature: 1 } })).not.toBe(k);
    expect(cacheKey({ provider: 'groq', path: '/chat/completions', body })).not.toBe(k);
    expect(cacheKey({ provider: 'openai', path: '/responses', body })).not.toBe(k);
  });
  it('keeps types apart: the string "1" and the number 1 differ', () => {
    expect(cacheKey({ provider: 'p', path: '/', body: { a: 1 } })).not.toBe(cacheKey({ provider: 'p', path: '/', body: { a: '1' } }));
  });
  it('ignores undefined members, as JSON does', () => {
    expect(cacheKey({ provider: 'p', path: '/', body: { a: 1, b: undefined } })).toBe(cacheKey({ provider: 'p', path: '/', body: { a: 1 } }));
  });
  it('cannot be confused by moving text between provider and path', () => {
    expect(cacheKey({ provider: 'a', path: 'b/c', body: {} })).not.toBe(cacheKey({ provider: 'a/b', path: 'c', body: {} }));
  });
  it('derives a custom key from provider and customKey only', () => {
    const a = cacheKey({ provider: 'openai', path: '/chat/completions', body, customKey: 'user-42' });
    expect(cacheKey({ provider: 'openai', path: '/other', body: { x: 1 }, customKey: 'user-42' })).toBe(a);
    expect(cacheKey({ provider: 'anthropic', path: '/chat/completions', body, customKey: 'user-42' })).not.toBe(a);
    expect(cacheKey({ provider: 'openai', path: '/chat/completions', body, customKey: 'user-43' })).not.toBe(a);
    expect(a).not.toBe(cacheKey({ provider: 'openai', path: '/chat/completions', body }));
  });
  it('keeps namespaces (gateways) apart', () => {
    expect(cacheKey({ provider: 'p', path: '/', body, namespace: 'team-a' })).not.toBe(cacheKey({ provider: 'p', path: '/', body, namespace: 'team-b' }));
    expect(cacheKey({ provider: 'p', path: '/', body, customKey: 'k', namespace: 'team-a' })).not.toBe(cacheKey({ provider: 'p', path: '/', body, customKey: 'k', namespace: 'team-b' }));
  });
  it('hashes raw byte bodies as bytes', () => {
    const a = cacheKey({ provider: 'p', path: '/', body: Buffer.from('abc') });
    expect(cacheKey({ provider: 'p', path: '/', body: Buffer.from('abc') })).toBe(a);
    expect(cacheKey({ provider: 'p', path: '/', body: Buffer.from('abd') })).not.toBe(a);
    expect(cacheKey({ provider: 'p', path: '/', body: 'abc' })).not.toBe(a);
  });
});

describe('ResponseCache get/set and TTL', () => {
  it('counts hits and misses', () => {
    const cache = new ResponseCache({ ...base, now: clock().now });
    expect(cache.get('k')).toBeUndefined();
    cache.set('k', resp(10));
    expect(cache.get('k')?.body?.length).toBe(10);
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 1 });
  });
  it('expires entries once older than the default TTL', () => {
    const c = clock();
    const cache = new ResponseCache({ ...base, now: c.now });
    cache.set('k', resp(10));
    c.t += 60_000;
    expect(cache.get('k')).toBeDefined();
    c.t += 1;
    expect(cache.get('k')).toBeUndefined();
  });
  it('uses a requested TTL, clamped to [minTtlMs, maxTtlMs]', () => {
    const c = clock();
    const cache = new ResponseCache({ ...base, now: c.now });
    cache.set('short', resp(1), 5_000);
    cache.set('tiny', resp(1), 0); // below the minimum: kept for minTtlMs
    cache.set('huge', resp(1), 365 * 86_400_000); // above the maximum: kept for maxTtlMs
    c.t += 1_000;
    expect(cache.get('tiny')).toBeDefined();
    c.t += 1;
    expect(cache.get('tiny')).toBeUndefined();
    expect(cache.get('short')).toBeDefined();
    c.t += 4_000;
    expect(cache.get('short')).toBeUndefined();
    c.t += 3_600_000 - 5_001;
    expect(cache.get('huge')).toBeDefined();
    c.t += 1;
    expect(cache.get('huge')).toBeUndefined();
  });
  it('clampTtl gives the default when none is asked for and bounds the rest', () => {
    const cache = new ResponseCache(base);
    expect(cache.clampTtl()).toBe(60_000);
    expect(cache.clampTtl(Number.NaN)).toBe(60_000);
    expect(cache.clampTtl(10)).toBe(1_000);
    expect(cache.clampTtl(120_000)).toBe(120_000);
    expect(cache.clampTtl(1e12)).toBe(3_600_000);
    expect(new ResponseCache({ ...base, defaultTtlMs: 1e12 }).clampTtl()).toBe(3_600_000);
  });
  it('rejects inconsistent bounds', () => {
    expect(() => new ResponseCache({ ...base, maxBytes: 0 })).toThrow(RangeError);
    expect(() => new ResponseCache({ ...base, minTtlMs: 10, maxTtlMs: 5 })).toThrow(RangeError);
  });
});

describe('ResponseCache memory bound', () => {
  it('never holds more bytes than maxBytes, evicting the least recently used', () => {
    const cache = new ResponseCache({ ...base, maxBytes: 10_000, maxEntryBytes: 10_000, now: clock().now });
    const entry = resp(1000);
    const size = cachedResponseBytes(entry);
    const fits = Math.floor(10_000 / size);
    for (let i = 0; i < fits; i++) cache.set(`k${i}`, entry);
    expect(cache.get('k0')).toBeDefined(); // k0 is now the most recently used; k1 the least
    cache.set('new', entry);
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.get('k0')).toBeDefined();
    for (let i = 0; i < 100; i++) cache.set(`more${i}`, entry);
    const s = cache.stats();
    expect(s.bytes).toBeLessThanOrEqual(10_000);
    expect(s.entries).toBe(fits);
    expect(s.evictions).toBe(101);
  });
  it('sizes entries by body, SSE event bytes (UTF-8) and headers', () => {
    const plain = cachedResponseBytes({ status: 200, headers: {}, model: 'm' });
    expect(cachedResponseBytes({ status: 200, headers: {}, model: 'm', body: Buffer.alloc(500) })).toBe(plain + 500);
    expect(cachedResponseBytes({ status: 200, headers: {}, model: 'm', events: ['data: é\n\n', 'data: x\n\n'] })).toBe(plain + 10 + 9); // é is 2 bytes
    expect(cachedResponseBytes({ status: 200, headers: { ab: 'cde' }, model: 'm' })).toBe(plain + 5);
  });
  it('does not cache a response over maxEntryBytes (default maxBytes / 8), keeping the rest', () => {
    const cache = new ResponseCache({ ...base, maxBytes: 80_000 });
    cache.set('small', resp(100));
    cache.set('big', resp(20_000));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('small')).toBeDefined();
    expect(cache.stats().tooLarge).toBe(1);
  });
  it('replays streamed responses from their stored events', () => {
    const cache = new ResponseCache(base);
    const events = ['data: {"choices":[{"delta":{"content":"hi"}}]}\n\n', 'data: [DONE]\n\n'];
    cache.set('s', { status: 200, headers: { 'content-type': 'text/event-stream' }, events, model: 'gpt-4o' });
    expect(cache.get('s')?.events).toEqual(events);
  });
});

describe('ResponseCache.coalesce', () => {
  it('runs one upstream call for concurrent identical misses and gives every caller its result', async () => {
    const cache = new ResponseCache(base);
    let calls = 0;
    let finish!: (v: string) => void;
    const fn = () => {
      calls++;
      return new Promise<string>((resolve) => (finish = resolve));
    };
    const waiting = Array.from({ length: 10 }, () => cache.coalesce('k', fn));
    expect(calls).toBe(1);
    expect(cache.stats()).toMatchObject({ inflight: 1, coalesced: 9 });
    finish('answer');
    expect(await Promise.all(waiting)).toEqual(Array(10).fill('answer'));
    expect(cache.stats().inflight).toBe(0);
  });
  it('forgets the key once settled, so the next miss calls upstream again', async () => {
    const cache = new ResponseCache(base);
    let calls = 0;
    await cache.coalesce('k', async () => ++calls);
    await cache.coalesce('k', async () => ++calls);
    expect(calls).toBe(2);
  });
  it('shares a failure with every waiter, then forgets it', async () => {
    const cache = new ResponseCache(base);
    let fail!: (e: Error) => void;
    const a = cache.coalesce('k', () => new Promise((_, reject) => (fail = reject)));
    const b = cache.coalesce('k', async () => 'never runs');
    fail(new Error('upstream 500'));
    await expect(a).rejects.toThrow('upstream 500');
    await expect(b).rejects.toThrow('upstream 500');
    expect(cache.stats().inflight).toBe(0);
    await expect(cache.coalesce('k', async () => 'ok')).resolves.toBe('ok');
  });
  it('turns a synchronous throw into a rejection and forgets the key', async () => {
    const cache = new ResponseCache(base);
    await expect(
      cache.coalesce('k', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await Promise.resolve();
    expect(cache.stats().inflight).toBe(0);
  });
  it('keeps different keys independent', async () => {
    const cache = new ResponseCache(base);
    let calls = 0;
    await Promise.all([cache.coalesce('a', async () => ++calls), cache.coalesce('b', async () => ++calls)]);
    expect(calls).toBe(2);
  });
});
