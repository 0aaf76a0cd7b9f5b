import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from './server.ts';
import { parseSse, post, readJson } from './test-helpers.ts';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.resetStats());

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const stream = { ...chat, stream: true };
const msg = { model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };

describe('fault injection', () => {
  it('delays the response headers by x-mock-latency-ms', async () => {
    const started = performance.now();
    const res = await post(`${mock.url}/v1/chat/completions`, chat, { 'x-mock-latency-ms': '120' });
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    await res.body?.cancel();
  });

  it('applies the server-wide default latency when no header overrides it', async () => {
    const slow = await startMockUpstream({ latencyMs: 100 });
    try {
      const started = performance.now();
      await readJson(await post(`${slow.url}/v1/chat/completions`, chat));
      expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    } finally {
      await slow.close();
    }
  });

  it('answers x-mock-status with that status, a provider-shaped error and Retry-After', async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, chat, { 'x-mock-status': '429', 'x-mock-retry-after': '7' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await readJson(res)).toEqual({ error: { message: expect.any(String), type: 'requests', param: null, code: 'rate_limit_exceeded' } });
  });

  it('answers a streaming request with an error status as plain JSON before any SSE', async () => {
    const res = await post(`${mock.url}/v1/messages`, { ...msg, stream: true }, { 'x-mock-status': '500' });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect((await readJson(res)).error.type).toBe('api_error');
  });

  it('spaces streamed chunks by x-mock-chunk-delay-ms', async () => {
    const started = performance.now();
    const res = await post(`${mock.url}/v1/chat/completions`, stream, { 'x-mock-chunks': '4', 'x-mock-chunk-delay-ms': '40' });
    const events = parseSse(await res.text());
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 40 - 5);
    expect(events.at(-1)?.data).toBe('[DONE]');
    expect(events).toHaveLength(1 + 4 + 1 + 1);
  });

  it('cuts an OpenAI stream after N content chunks without [DONE], and does not count it as a client abort', async () => {
    const res = await request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-mock-cut-after': '2', 'x-mock-chunks': '5' },
      body: JSON.stringify(stream),
    });
    expect(res.statusCode).toBe(200);
    let received = '';
    const error = await (async () => {
      try {
        for await (const part of res.body) received += part.toString();
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(Error);
    const events = parseSse(received);
    expect(events.map((e) => JSON.parse(e.data).choices[0].delta.content)).toEqual(['', 'word0', ' word1']);
    expect(received).not.toContain('[DONE]');
    await mock.waitFor((s) => s.cut === 1 && s.inFlight === 0);
    expect(mock.stats.aborted).toBe(0);
  });

  it('cuts an Anthropic stream with delays after N chunks, before message_stop', async () => {
    const res = await post(`${mock.url}/v1/messages`, { ...msg, stream: true }, { 'x-mock-cut-after': '1', 'x-mock-chunk-delay-ms': '10' });
    await expect(res.text()).rejects.toThrow();
    expect(mock.stats.cut).toBe(1);
  });

  it('cuts a JSON response halfway through its promised body', async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, chat, { 'x-mock-cut-after': '0' });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('resets the connection before any header with x-mock-cut-after: before-headers', async () => {
    await expect(post(`${mock.url}/v1/chat/completions`, chat, { 'x-mock-cut-after': 'before-headers' })).rejects.toThrow();
    expect(mock.stats.cut).toBe(1);
    expect(mock.stats.aborted).toBe(0);
  });

  it('sends a broken JSON body with x-mock-invalid: json', async () => {
    const res = await post(`${mock.url}/v1/messages`, msg, { 'x-mock-invalid': 'json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(text.startsWith('{"id":')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('sends a broken SSE event with x-mock-invalid: sse', async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, stream, { 'x-mock-invalid': 'sse' });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    expect(() => JSON.parse(events[0]?.data ?? '')).not.toThrow();
    expect(() => JSON.parse(events.at(-1)?.data ?? '')).toThrow();
    expect(events.some((e) => e.data === '[DONE]')).toBe(false);
  });

  it('echoes the received OpenAI key into the error body with x-mock-echo-key', async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, chat, { 'x-mock-echo-key': '1', authorization: 'Bearer sk-live-secret' });
    expect(res.status).toBe(401);
    expect((await readJson(res)).error.message).toContain('sk-live-secret');
  });

  it('echoes the received Anthropic x-api-key with the status given', async () => {
    const res = await post(`${mock.url}/v1/messages`, msg, { 'x-mock-echo-key': '1', 'x-mock-status': '403', 'x-api-key': 'sk-ant-secret' });
    expect(res.status).toBe(403);
    const body = await readJson(res);
    expect(body.error.type).toBe('permission_error');
    expect(body.error.message).toContain('sk-ant-secret');
  });

  it('rejects a malformed x-mock header with 400 naming it', async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, chat, { 'x-mock-chunks': 'many' });
    expect(res.status).toBe(400);
    expect((await readJson(res)).error.message).toContain('x-mock-chunks');
  });
});

describe('request accounting', () => {
  it('counts requests and records the last one', async () => {
    await readJson(await post(`${mock.url}/v1/chat/completions`, chat));
    await readJson(await post(`${mock.url}/v1/messages`, msg, { 'x-api-key': 'k' }));
    expect(mock.stats.requests).toBe(2);
    expect(mock.stats.lastRequest).toMatchObject({ path: '/v1/messages', body: msg, headers: { 'x-api-key': 'k' } });
    expect(mock.stats.aborted).toBe(0);
  });

  it('counts a client that goes away mid-stream as aborted', async () => {
    const ac = new AbortController();
    const res = await post(`${mock.url}/v1/chat/completions`, stream, { 'x-mock-chunks': '50', 'x-mock-chunk-delay-ms': '20' }, ac.signal);
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await mock.waitFor((s) => s.aborted === 1 && s.inFlight === 0);
    expect(mock.stats.lastAbortAt).toBeGreaterThan(0);
  });

  it('counts a client that goes away while waiting for headers as aborted', async () => {
    const ac = new AbortController();
    const pending = post(`${mock.url}/v1/messages`, msg, { 'x-mock-latency-ms': '2000' }, ac.signal);
    await mock.waitFor((s) => s.requests === 1);
    ac.abort();
    await expect(pending).rejects.toThrow();
    await mock.waitFor((s) => s.aborted === 1 && s.inFlight === 0);
  });
});
