// Rows 23-25 and 31 of the reliability contract, and the universal endpoint's fallback.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing.ts';

/** An OpenAI-like upstream that answers from a script: one entry per call, the last one repeats. */
async function scriptedUpstream(script: Array<{ status: number; retryAfter?: string; delayMs?: number }>) {
  const calls: number[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const step = script[Math.min(calls.length, script.length - 1)]!;
      calls.push(Date.now());
      setTimeout(() => {
        if (res.destroyed) return;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (step.retryAfter) headers['retry-after'] = step.retryAfter;
        res.writeHead(step.status, headers);
        res.end(step.status < 400
          ? JSON.stringify({ id: 'x', object: 'chat.completion', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } })
          : JSON.stringify({ error: { message: `status ${step.status}`, type: 'server_error' } }));
      }, step.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return { url, calls, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function gatewayFor(upstreamUrl: string, extra: Record<string, unknown> = {}): Promise<TestGateway> {
  const t = await startTestGateway({ providers: { openai: { base_url: upstreamUrl, api_key: 'k' } }, ...extra });
  cleanups.push(() => t.close());
  return t;
}

function post(t: TestGateway, headers: Record<string, string> = {}) {
  return fetch(`${t.url}/v1/default/openai/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('retries', () => {
  it('retries a 5xx or reset within cf-aig-max-attempts and records the attempts', async () => {
    const up = await scriptedUpstream([{ status: 503 }, { status: 502 }, { status: 200 }]);
    cleanups.push(up.close);
    const t = await gatewayFor(up.url);
    const res = await post(t, { 'cf-aig-max-attempts': '3', 'cf-aig-retry-delay': '10', 'cf-aig-backoff': 'constant' });
    expect(res.status).toBe(200);
    expect(up.calls).toHaveLength(3);
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ attempts: 3, outcome: 'success' });
  });

  it('does not retry without cf-aig-max-attempts (default one attempt)', async () => {
    const up = await scriptedUpstream([{ status: 500 }, { status: 200 }]);
    cleanups.push(up.close);
    const t = await gatewayFor(up.url);
    const res = await post(t);
    expect(res.status).toBe(500);
    expect(up.calls).toHaveLength(1);
  });

  it('never retries before the Retry-After time', async () => {
    const up = await scriptedUpstream([{ status: 429, retryAfter: '1' }, { status: 200 }]);
    cleanups.push(up.close);
    const t = await gatewayFor(up.url, { resilience: { breaker_cooldown_ms: 10, breaker_failure_threshold: 5 } });
    const res = await post(t, { 'cf-aig-max-attempts': '2', 'cf-aig-retry-delay': '0' });
    expect(res.status).toBe(200);
    expect(up.calls).toHaveLength(2);
    expect(up.calls[1]! - up.calls[0]!).toBeGreaterThanOrEqual(990);
  });

  it('gives up at once when Retry-After exceeds the cap, relaying the 429', async () => {
    const up = await scriptedUpstream([{ status: 429, retryAfter: '3600' }, { status: 200 }]);
    cleanups.push(up.close);
    const t = await gatewayFor(up.url);
    const res = await post(t, { 'cf-aig-max-attempts': '5' });
    expect(res.status).toBe(429);
    expect(up.calls).toHaveLength(1);
  });

  it('times out a slow upstream per try (cf-aig-request-timeout) with 504 SWY_UPSTREAM_TIMEOUT', async () => {
    const up = await scriptedUpstream([{ status: 200, delayMs: 1_000 }]);
    cleanups.push(up.close);
    const t = await gatewayFor(up.url);
    const res = await post(t, { 'cf-aig-request-timeout': '100', 'cf-aig-max-attempts': '2', 'cf-aig-retry-delay': '0' });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ error: { code: 'SWY_UPSTREAM_TIMEOUT' } });
    expect(up.calls).toHaveLength(2);
  });

  it('keeps a retry storm bounded by the retry budget and opens the breaker within 5 failures', async () => {
    const up = await scriptedUpstream([{ status: 500 }]);
    cleanups.push(up.close);
    const t = await gatewayFor(up.url, { resilience: { breaker_failure_threshold: 5, breaker_cooldown_ms: 60_000 } });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await post(t, { 'cf-aig-max-attempts': '5', 'cf-aig-retry-delay': '0' });
      statuses.push(res.status);
      await res.arrayBuffer();
    }
    // The breaker opened after 5 consecutive failures; everything after is refused without a call.
    expect(up.calls.length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(95);
  });

  it('caps retries at the budget when the breaker would not stop them', async () => {
    const up = await scriptedUpstream([{ status: 500 }]);
    cleanups.push(up.close);
    // A breaker that never opens, so only the budget limits the retries.
    const t = await gatewayFor(up.url, { resilience: { breaker_failure_threshold: 1_000_000, retry_budget_ratio: 0.2, retry_budget_min_per_second: 1 } });
    const n = 200;
    for (let i = 0; i < n; i++) await (await post(t, { 'cf-aig-max-attempts': '5', 'cf-aig-retry-delay': '0' })).arrayBuffer();
    const retries = up.calls.length - n;
    // 20% of requests, plus the floor of 1/s over the 10 s window.
    expect(retries).toBeLessThanOrEqual(0.2 * n + 10);
    expect(retries).toBeGreaterThan(0);
  });
});

describe('universal endpoint', () => {
  function universal(t: TestGateway, steps: unknown) {
    return fetch(`${t.url}/v1/default`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(steps) });
  }
  const query = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };

  it('falls back to the next step on an error status and says which step answered', async () => {
    const t = await startTestGateway();
    cleanups.push(() => t.close());
    const res = await universal(t, [
      { provider: 'openai', endpoint: 'chat/completions', headers: { 'x-mock-status': '500' }, query },
      { provider: 'anthropic', endpoint: 'v1/messages', query: { model: 'claude-sonnet-4', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] } },
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('cf-aig-step')).toBe('1');
    expect(((await res.json()) as { type: string }).type).toBe('message');
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ route: 'universal', step: 1, provider: 'anthropic', model: 'claude-sonnet-4', attempts: 2, outcome: 'success' });
  });

  it('falls back on a per-step timeout (config.requestTimeout)', async () => {
    const t = await startTestGateway();
    cleanups.push(() => t.close());
    const res = await universal(t, [
      { provider: 'openai', endpoint: 'chat/completions', headers: { 'x-mock-latency-ms': '1000' }, query, config: { requestTimeout: 100 } },
      { provider: 'openai', endpoint: 'chat/completions', query },
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('cf-aig-step')).toBe('1');
  });

  it('relays the last step\'s failure when every step fails', async () => {
    const t = await startTestGateway();
    cleanups.push(() => t.close());
    const res = await universal(t, [
      { provider: 'openai', endpoint: 'chat/completions', headers: { 'x-mock-status': '500' }, query },
      { provider: 'openai', endpoint: 'chat/completions', headers: { 'x-mock-status': '503' }, query },
    ]);
    expect(res.status).toBe(503);
    expect(res.headers.get('cf-aig-step')).toBe('1');
  });

  it('refuses malformed step lists with typed errors', async () => {
    const t = await startTestGateway();
    cleanups.push(() => t.close());
    const cases: Array<[unknown, number, string]> = [
      [{ provider: 'openai' }, 400, 'SWY_BAD_REQUEST'],
      [[], 400, 'SWY_BAD_REQUEST'],
      [[{ provider: 'openai', endpoint: 'chat/completions' }], 400, 'SWY_BAD_REQUEST'],
      [[{ provider: 'nope', endpoint: 'x', query }], 404, 'SWY_UNKNOWN_PROVIDER'],
      [[{ provider: 'openai', endpoint: '../../admin', query }], 400, 'SWY_BAD_REQUEST'],
      [[{ provider: 'openai', endpoint: 'chat/completions', query, headers: { 'x-a': 'b\r\nevil: 1' } }], 400, 'SWY_BAD_REQUEST'],
      [[{ provider: 'openai', endpoint: 'chat/completions', query, config: { maxAttempts: 9 } }], 400, 'SWY_BAD_REQUEST'],
    ];
    const before = t.mock.stats.requests;
    for (const [steps, status, code] of cases) {
      const res = await universal(t, steps);
      expect(res.status, JSON.stringify(steps)).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code } });
    }
    expect(t.mock.stats.requests).toBe(before);
  });
});

describe('weighted load balancing across steps', () => {
  it('draws the first step by weight and keeps the others as fallbacks', async () => {
    const { weightedOrder } = await import('../routes/universal.ts');
    expect(weightedOrder(['a', 'b', 'c'], [undefined, undefined, undefined])).toEqual(['a', 'b', 'c']);
    expect(weightedOrder(['a', 'b', 'c'], [1, 3, undefined], () => 0.1)).toEqual(['a', 'b', 'c']);
    expect(weightedOrder(['a', 'b', 'c'], [1, 3, undefined], () => 0.5)).toEqual(['b', 'a', 'c']);
    expect(() => weightedOrder(['a'], [-1])).toThrow(/weight/);
  });

  it('spreads traffic over providers by weight and reports the answering step', async () => {
    const t = await startTestGateway();
    cleanups.push(() => t.close());
    const steps = [
      { provider: 'openai', endpoint: 'chat/completions', query: { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }, weight: 1 },
      { provider: 'anthropic', endpoint: 'v1/messages', query: { model: 'claude-sonnet-4', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }, weight: 3 },
    ];
    const counts = { '0': 0, '1': 0 } as Record<string, number>;
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${t.url}/v1/default`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(steps) });
      await res.text();
      counts[res.headers.get('cf-aig-step') as string]! += 1;
    }
    // Expected 50 / 150; the bounds are about 5 standard deviations wide.
    expect(counts['1']).toBeGreaterThan(120);
    expect(counts['0']).toBeGreaterThan(20);
  });
});
