import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicUsageFor, openaiChatUsageFor } from '@switchyard/mock-upstream';
import { SseParser } from '../upstream/sse.ts';
import { startTestGateway, type TestGateway } from '../testing.ts';

let t: TestGateway;
beforeAll(async () => { t = await startTestGateway(); });
afterAll(async () => { await t.close(); });

const chatBody = { model: 'gpt-4o', messages: [{ role: 'user', content: 'tell me a short story please' }] };
const messagesBody = { model: 'claude-sonnet-4', max_tokens: 100, messages: [{ role: 'user', content: 'hello there friend' }] };

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function events(text: string) {
  return new SseParser().push(new TextEncoder().encode(text));
}

describe('native OpenAI passthrough', () => {
  it('forwards the JSON response unchanged and records provider usage', async () => {
    const res = await post('/v1/default/openai/chat/completions', chatBody, { 'x-mock-cached-tokens': '2', 'x-mock-reasoning-tokens': '3' });
    expect(res.status).toBe(200);
    const logId = res.headers.get('cf-aig-log-id') as string;
    expect(logId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const json = (await res.json()) as { usage: { prompt_tokens: number } };
    const expected = openaiChatUsageFor(chatBody, { cachedTokens: 2, reasoningTokens: 3 });
    expect(json.usage.prompt_tokens).toBe(expected.prompt_tokens);
    const rec = await t.sink.response(logId);
    expect(rec).toMatchObject({
      provider: 'openai', model: 'gpt-4o', route: 'native', status: 200, outcome: 'success', usage_source: 'provider',
      input_tokens: expected.prompt_tokens - 2, cached_input_tokens: 2, output_tokens: expected.completion_tokens, reasoning_tokens: 3,
    });
    expect(t.sink.requests.find((r) => r.log_id === logId)).toMatchObject({ path: '/chat/completions', stream: false, gateway: 'default' });
  });

  it('uses the stored key, not the client header, upstream', async () => {
    await post('/v1/default/openai/chat/completions', chatBody, { authorization: 'Bearer client-key' });
    expect(t.mock.stats.lastRequest?.headers.authorization).toBe('Bearer sk-test-openai');
  });

  it('asks for stream usage itself but never shows the extra chunk to a client that did not ask', async () => {
    const res = await post('/v1/default/openai/chat/completions', { ...chatBody, stream: true });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const evs = events(text);
    expect(evs.at(-1)?.data).toBe('[DONE]');
    expect(evs.some((e) => e.data.includes('"usage":{'))).toBe(false);
    expect((t.mock.stats.lastRequest?.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    const expected = openaiChatUsageFor(chatBody);
    expect(rec).toMatchObject({ stream: true, outcome: 'success', usage_source: 'provider', input_tokens: expected.prompt_tokens, output_tokens: expected.completion_tokens });
    expect(rec.ttft_ms).not.toBeNull();
  });

  it('passes the usage chunk through when the client asked for it', async () => {
    const res = await post('/v1/default/openai/chat/completions', { ...chatBody, stream: true, stream_options: { include_usage: true } });
    const evs = events(await res.text());
    const usageEvent = evs.find((e) => e.data.includes('"usage":{'));
    expect(usageEvent).toBeDefined();
  });

  it('ends a stream cut mid-way with an error event and no [DONE], recorded as stream_truncated', async () => {
    const res = await post('/v1/default/openai/chat/completions', { ...chatBody, stream: true }, { 'x-mock-cut-after': '3' });
    const evs = events(await res.text());
    expect(evs.some((e) => e.data === '[DONE]')).toBe(false);
    expect(JSON.parse(evs.at(-1)?.data ?? '{}')).toMatchObject({ error: { code: 'SWY_UPSTREAM_STREAM_CUT' } });
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ outcome: 'stream_truncated', error_code: 'SWY_UPSTREAM_STREAM_CUT' });
  });

  it('answers 502 upstream_invalid_response for a broken JSON body', async () => {
    const res = await post('/v1/default/openai/chat/completions', chatBody, { 'x-mock-invalid': 'json' });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: 'SWY_UPSTREAM_INVALID_RESPONSE' } });
  });
});

describe('upstream rate limits', () => {
  it('relays a 429 with its body and Retry-After, then answers from cooldown without calling the upstream', async () => {
    // Its own gateway: the cooldown this causes must not affect the other tests.
    const own = await startTestGateway();
    try {
      const send = (headers: Record<string, string>) =>
        fetch(`${own.url}/v1/default/openai/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(chatBody) });
      const res = await send({ 'x-mock-status': '429', 'x-mock-retry-after': '7' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toBeTruthy();
      const rec = await own.sink.response(res.headers.get('cf-aig-log-id') as string);
      expect(rec).toMatchObject({ outcome: 'upstream_error', status: 429, upstream_status: 429 });
      const calls = own.mock.stats.requests;
      const cooled = await send({});
      expect(cooled.status).toBe(503);
      expect(await cooled.json()).toMatchObject({ error: { code: 'SWY_UPSTREAM_COOLDOWN' } });
      expect(Number(cooled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(own.mock.stats.requests).toBe(calls);
    } finally {
      await own.close();
    }
  });
});

describe('native Anthropic passthrough', () => {
  it('forwards JSON and records usage with cache reads and writes', async () => {
    const res = await post('/v1/default/anthropic/v1/messages', messagesBody, { 'x-mock-cached-tokens': '4', 'x-mock-cache-write-tokens': '5' });
    expect(res.status).toBe(200);
    const expected = anthropicUsageFor(messagesBody, { cachedTokens: 4, cacheWriteTokens: 5 });
    expect(((await res.json()) as { usage: unknown }).usage).toMatchObject({ input_tokens: expected.input_tokens });
    expect(t.mock.stats.lastRequest?.headers['x-api-key']).toBe('sk-test-anthropic');
    expect(t.mock.stats.lastRequest?.headers['anthropic-version']).toBe('2023-06-01');
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ input_tokens: expected.input_tokens, cached_input_tokens: 4, cache_write_tokens: 5, output_tokens: expected.output_tokens });
  });

  it('streams events byte for byte and takes usage from message_start and message_delta', async () => {
    const res = await post('/v1/default/anthropic/v1/messages', { ...messagesBody, stream: true });
    const text = await res.text();
    const evs = events(text);
    expect(evs.map((e) => e.event)).toContain('message_delta');
    expect(evs.at(-1)?.event).toBe('message_stop');
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    const expected = anthropicUsageFor(messagesBody);
    expect(rec).toMatchObject({ outcome: 'success', input_tokens: expected.input_tokens, output_tokens: expected.output_tokens });
  });

  it('ends a cut stream with an Anthropic error event', async () => {
    const res = await post('/v1/default/anthropic/v1/messages', { ...messagesBody, stream: true }, { 'x-mock-cut-after': '2' });
    const evs = events(await res.text());
    expect(evs.at(-1)?.event).toBe('error');
    expect(JSON.parse(evs.at(-1)?.data ?? '{}')).toMatchObject({ type: 'error', error: { type: 'SWY_UPSTREAM_STREAM_CUT' } });
  });
});

describe('client disconnects', () => {
  it('aborts the upstream when the client leaves mid-stream and records client_closed', async () => {
    const before = t.mock.stats.aborted;
    const ac = new AbortController();
    const res = await post('/v1/default/openai/chat/completions', { ...chatBody, stream: true }, { 'x-mock-chunks': '50', 'x-mock-chunk-delay-ms': '50' });
    const logId = res.headers.get('cf-aig-log-id') as string;
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await reader.cancel();
    await t.mock.waitFor((s) => s.aborted > before, 1_000);
    const rec = await t.sink.response(logId);
    expect(rec.outcome).toBe('client_closed');
  });
});

describe('records', () => {
  it('carries cf-aig-metadata and cf-aig-event-id into both records and echoes the event id', async () => {
    const res = await post('/v1/default/openai/chat/completions', chatBody, { 'cf-aig-metadata': '{"team":"search","tier":2,"beta":true}', 'cf-aig-event-id': 'evt-1' });
    expect(res.headers.get('cf-aig-event-id')).toBe('evt-1');
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec.metadata).toEqual({ team: 'search', tier: '2', beta: 'true' });
    expect(rec.event_id).toBe('evt-1');
  });

  it('emits no records for a gateway with collect_logs off', async () => {
    const res = await post('/v1/quiet/openai/chat/completions', chatBody);
    expect(res.status).toBe(200);
    const logId = res.headers.get('cf-aig-log-id');
    await new Promise((r) => setTimeout(r, 50));
    expect(t.sink.responses.some((r) => r.log_id === logId)).toBe(false);
  });
});
