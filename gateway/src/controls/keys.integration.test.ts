// Stored provider keys on the request path: weighted pools with aliases, a rate-limited key rests
// while the others serve, rotation without a restart, and the key never reaches the client (row 30).
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../testing.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function pooled(keys: unknown[]): Promise<TestGateway> {
  const t = await startTestGateway((mockUrl) => ({ gateways: { g: {} }, providers: { openai: { base_url: `${mockUrl}/v1`, keys } } }));
  cleanups.push(() => t.close());
  return t;
}

const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] };
function post(t: TestGateway, headers: Record<string, string> = {}) {
  return fetch(`${t.url}/v1/g/openai/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('stored provider keys', () => {
  it('spreads requests over the pool by weight and records the alias used, never the key', async () => {
    const t = await pooled([{ alias: 'a', key: 'sk-key-aaaaaaaa', weight: 1 }, { alias: 'b', key: 'sk-key-bbbbbbbb', weight: 1 }, { alias: 'standby', key: 'sk-key-cccccccc', weight: 0 }]);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const res = await post(t);
      await res.text();
      seen.add(String(t.mock.stats.lastRequest?.headers.authorization));
      const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
      expect(['a', 'b']).toContain(rec.key_alias);
    }
    expect(seen).toEqual(new Set(['Bearer sk-key-aaaaaaaa', 'Bearer sk-key-bbbbbbbb']));
    expect(JSON.stringify([t.sink.requests, t.sink.responses])).not.toMatch(/sk-key-/);
  });

  it('rests a key that was rate limited and retries with another one', async () => {
    const t = await pooled([{ alias: 'a', key: 'sk-key-aaaaaaaa' }, { alias: 'b', key: 'sk-key-bbbbbbbb' }]);
    // Every try answers 429 with Retry-After 30: each key is tried once, then both rest.
    const res = await post(t, { 'x-mock-status': '429', 'x-mock-retry-after': '30', 'cf-aig-max-attempts': '3', 'cf-aig-retry-delay': '0' });
    expect(res.status).toBe(429);
    expect(t.mock.stats.requests).toBe(2);
    const next = await post(t);
    expect(next.status).toBe(503);
    expect(await next.json()).toMatchObject({ error: { code: 'SWY_UPSTREAM_COOLDOWN' } });
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(20);
  });

  it('rotates keys without a restart', async () => {
    const t = await pooled([{ alias: 'old', key: 'sk-key-oldoldold' }]);
    await (await post(t)).text();
    expect(t.mock.stats.lastRequest?.headers.authorization).toBe('Bearer sk-key-oldoldold');
    t.gateway.reload({ providers: { openai: { base_url: `${t.mock.url}/v1`, keys: [{ alias: 'new', key: 'sk-key-newnewnew' }] } }, gateways: { g: {} } });
    await (await post(t)).text();
    expect(t.mock.stats.lastRequest?.headers.authorization).toBe('Bearer sk-key-newnewnew');
  });

  it('redacts the stored key from an upstream error that echoes it', async () => {
    const t = await pooled([{ alias: 'a', key: 'sk-key-secret123' }]);
    const res = await post(t, { 'x-mock-status': '401', 'x-mock-echo-key': '1' });
    const text = await res.text();
    expect(res.status).toBe(401);
    expect(text).not.toContain('sk-key-secret123');
    expect(text).toContain('[redacted]');
  });
});
