// `npm run bench:micro`: G10 feature costs measured in-process, off the test suite (no timing in
// npm test): the rate-limit check and the cache lookup, as percentiles over many calls.
import { cacheKey, RateLimiter, ResponseCache, type RateLimitRule } from '@switchyard/gateway';

function percentiles(samples: Float64Array): { p50Us: number; p99Us: number } {
  samples.sort();
  return { p50Us: samples[Math.floor(samples.length * 0.5)]! / 1000, p99Us: samples[Math.floor(samples.length * 0.99)]! / 1000 };
}

function time(n: number, fn: (i: number) => void): { p50Us: number; p99Us: number } {
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  return percentiles(samples);
}

export function rateLimitCost(): { p50Us: number; p99Us: number; rules: number; keys: number } {
  const base = { scope: 'gateway', kind: 'requests', limit: 1e9, window_ms: 60_000, technique: 'fixed' } as const;
  const rules: RateLimitRule[] = [
    { ...base, id: 'gw' },
    { ...base, id: 'tok', scope: 'token', technique: 'sliding' },
    { ...base, id: 'tok-tokens', scope: 'token', kind: 'tokens', limit: 1e12, technique: 'sliding' },
    { ...base, id: 'model', scope: 'model' },
    { ...base, id: 'user', scope: 'metadata', metadata_key: 'user', technique: 'sliding' },
  ];
  const rl = new RateLimiter(rules);
  const scopes = Array.from({ length: 10_000 }, (_, i) => ({ gateway: 'g', token: `tok-${i}`, provider: 'openai', model: `m${i % 20}`, metadata: { user: `user-${i}` } }));
  for (let r = 0; r < 3; r++) for (const s of scopes) rl.admit(s); // every key exists, JIT settled
  return { ...time(100_000, (i) => rl.admit(scopes[(i * 7919) % scopes.length]!)), rules: rules.length, keys: scopes.length };
}

export function cacheLookupCost(): { p50Us: number; p99Us: number } {
  const cache = new ResponseCache({ maxBytes: 64 * 1024 * 1024, defaultTtlMs: 300_000, minTtlMs: 1_000, maxTtlMs: 3_600_000 });
  const bodies = Array.from({ length: 1_000 }, (_, i) => ({ model: 'gpt-4o', messages: [{ role: 'user', content: `question ${i} ${'x'.repeat(900)}` }] }));
  for (const [i, b] of bodies.entries()) {
    cache.set(cacheKey({ provider: 'openai', path: '/v1/chat/completions', body: b }), { status: 200, headers: {}, body: Buffer.alloc(600, i), model: 'gpt-4o' });
  }
  // Key derivation (canonical JSON + sha256 of a ~1 KB body) plus the LRU get: the cache's own cost per request.
  return time(50_000, (i) => cache.get(cacheKey({ provider: 'openai', path: '/v1/chat/completions', body: bodies[i % bodies.length] })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rl = rateLimitCost();
  const cl = cacheLookupCost();
  console.log(`G10 rate-limit check (${rl.rules} rules, ${rl.keys} keys): p50 ${rl.p50Us.toFixed(2)} µs, p99 ${rl.p99Us.toFixed(2)} µs (target p99 <= 20 µs)`);
  console.log(`G10 cache key + lookup (~1 KB body): p50 ${cl.p50Us.toFixed(2)} µs, p99 ${cl.p99Us.toFixed(2)} µs`);
}
