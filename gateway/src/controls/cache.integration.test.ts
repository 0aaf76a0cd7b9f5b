// The response cache on the request path: exact-match keys, TTL headers, skip, custom keys,
// streamed answers replayed as streams, concurrent identical misses coalesced into one call.
import { afterEach, describe, expect, it } from 'vitest';
import { SseParser } from '../upstream/sse.ts';
import { startTestGateway, type TestGateway } from '../testing.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function cached(): Promise<TestGateway> {
  const t = await startTestGateway({ gateways: { g: { cache: { enabled: true } } } });
  cleanups.push(() => t.close());
  return t;
}

const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'cache me' }] };
async function post(t: TestGateway, b: unknown = body, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/v1/g/openai/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(b) });
  return { res, text: await res.text() };
}

describe('response cache', () => {
  it('serves an identical request from the cache without calling the upstream', async () => {
    const t = await cached();
    const first = await post(t);
    expect(first.res.headers.get('cf-aig-cache-status')).toBe('MISS');
    const second = await post(t, { messages: body.messages, model: 'gpt-4o' }); // same body, keys reordered
    expect(second.res.headers.get('cf-aig-cache-status')).toBe('HIT');
    expect(second.text).toBe(first.text);
    expect(t.mock.stats.requests).toBe(1);
    const rec = await t.sink.response(second.res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ cache_status: 'HIT', attempts: 0, outcome: 'success' });
    expect(rec.input_tokens).toBeGreaterThan(0);
  });

  it('keeps metadata out of the key and different bodies apart', async () => {
    const t = await cached();
    await post(t, body, { 'cf-aig-metadata': '{"user":"a"}' });
    expect((await post(t, body, { 'cf-aig-metadata': '{"user":"b"}' })).res.headers.get('cf-aig-cache-status')).toBe('HIT');
    expect((await post(t, { ...body, temperature: 0.5 })).res.headers.get('cf-aig-cache-status')).toBe('MISS');
  });

  it('bypasses the cache with cf-aig-skip-cache', async () => {
    const t = await cached();
    await post(t);
    const skipped = await post(t, body, { 'cf-aig-skip-cache': 'true' });
    expect(skipped.res.headers.get('cf-aig-cache-status')).toBeNull();
    expect(t.mock.stats.requests).toBe(2);
  });

  it('uses cf-aig-cache-key instead of the body', async () => {
    const t = await cached();
    await post(t, body, { 'cf-aig-cache-key': 'k1' });
    const other = await post(t, { ...body, messages: [{ role: 'user', content: 'different' }] }, { 'cf-aig-cache-key': 'k1' });
    expect(other.res.headers.get('cf-aig-cache-status')).toBe('HIT');
  });

  it('does not cache errors', async () => {
    const t = await cached();
    await post(t, body, { 'x-mock-status': '500' });
    const again = await post(t, body);
    expect(again.res.status).toBe(200);
    expect(again.res.headers.get('cf-aig-cache-status')).toBe('MISS');
  });

  it('replays a streamed answer as a stream', async () => {
    const t = await cached();
    const streamBody = { ...body, stream: true };
    const first = await post(t, streamBody);
    const second = await post(t, streamBody);
    expect(second.res.headers.get('cf-aig-cache-status')).toBe('HIT');
    expect(second.res.headers.get('content-type')).toContain('text/event-stream');
    expect(second.text).toBe(first.text);
    const evs = new SseParser().push(new TextEncoder().encode(second.text));
    expect(evs.at(-1)?.data).toBe('[DONE]');
    expect(t.mock.stats.requests).toBe(1);
  });

  it('coalesces concurrent identical misses into one upstream call', async () => {
    const t = await cached();
    const results = await Promise.all(Array.from({ length: 10 }, () => post(t, body, { 'x-mock-latency-ms': '150' })));
    expect(results.every((r) => r.res.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.text)).size).toBe(1);
    expect(t.mock.stats.requests).toBe(1);
    expect(results.filter((r) => r.res.headers.get('cf-aig-cache-status') === 'HIT')).toHaveLength(9);
  });

  it('rejects a bad cf-aig-cache-ttl with a typed error', async () => {
    const t = await cached();
    const r = await post(t, body, { 'cf-aig-cache-ttl': 'soon' });
    expect(r.res.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'SWY_BAD_HEADER' } });
  });
});
