import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from './server.ts';
import { parseSse, post, readJson } from './test-helpers.ts';
import { mockReplyText, mockUsageFor } from './usage.ts';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'say something nice' }] };

describe('OpenAI chat completions', () => {
  it('answers a chat completion with the model echoed, the reply and usage by the documented rule', async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, chat, { 'x-mock-cached-tokens': '3', 'x-mock-reasoning-tokens': '4' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await readJson(res);
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: mockReplyText(chat) }, finish_reason: 'stop' }],
      usage: mockUsageFor('openai', chat, { cachedTokens: 3, reasoningTokens: 4 }),
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(typeof body.created).toBe('number');
    expect(body.usage.prompt_tokens).toBe(2 + 3 + 2 + 3);
  });

  it('streams chunks with deltas, a finish chunk and [DONE], and no usage chunk unless asked', async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, { ...chat, stream: true }, { 'x-mock-chunks': '3' });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'gpt-4o-mini')).toBe(true);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(mockReplyText(chat, 3));
    expect(chunks.at(-1).choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks).toHaveLength(1 + 3 + 1);
  });

  it('streams a final usage chunk with empty choices when stream_options.include_usage is true', async () => {
    const body = { ...chat, stream: true, stream_options: { include_usage: true } };
    const res = await post(`${mock.url}/v1/chat/completions`, body, { 'x-mock-reasoning-tokens': '2' });
    const events = parseSse(await res.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
    const last = chunks.at(-1);
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual(mockUsageFor('openai', body, { reasoningTokens: 2 }));
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
  });

  it('stops at max_completion_tokens with finish_reason length', async () => {
    const body = { ...chat, max_completion_tokens: 2 };
    const res = await readJson(await post(`${mock.url}/v1/chat/completions`, body));
    expect(res.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'word0 word1' } });
    expect(res.usage.completion_tokens).toBe(2);
  });

  it('records the last request with path, headers and parsed body', async () => {
    await post(`${mock.url}/v1/chat/completions?x=1`, chat, { authorization: 'Bearer sk-test' });
    expect(mock.stats.lastRequest).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: chat });
    expect(mock.stats.lastRequest?.headers.authorization).toBe('Bearer sk-test');
  });
});

describe('OpenAI embeddings', () => {
  it('answers one vector per input with usage', async () => {
    const body = { model: 'text-embedding-3-small', input: ['one two', 'three'], dimensions: 4 };
    const res = await readJson(await post(`${mock.url}/v1/embeddings`, body));
    expect(res.object).toBe('list');
    expect(res.model).toBe('text-embedding-3-small');
    expect(res.data.map((d: { index: number }) => d.index)).toEqual([0, 1]);
    expect(res.data[0].embedding).toHaveLength(4);
    expect(res.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
  });

  it('encodes vectors as base64 float32 when asked', async () => {
    const res = await readJson(await post(`${mock.url}/v1/embeddings`, { model: 'e', input: 'x', encoding_format: 'base64', dimensions: 2 }));
    const bytes = Buffer.from(res.data[0].embedding, 'base64');
    expect(bytes).toHaveLength(2 * 4);
    const floats = [bytes.readFloatLE(0), bytes.readFloatLE(4)];
    const plain = await readJson(await post(`${mock.url}/v1/embeddings`, { model: 'e', input: 'x', dimensions: 2 }));
    floats.forEach((f, i) => expect(f).toBeCloseTo(plain.data[0].embedding[i], 5));
  });
});

describe('OpenAI errors', () => {
  it('answers an unknown path with 404 in the OpenAI error shape', async () => {
    const res = await post(`${mock.url}/v1/nope`, {});
    expect(res.status).toBe(404);
    const body = await readJson(res);
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: null });
    expect(typeof body.error.message).toBe('string');
  });

  it('answers a malformed JSON body with 400', async () => {
    const res = await post(`${mock.url}/v1/chat/completions`, '{"model":');
    expect(res.status).toBe(400);
    expect((await readJson(res)).error.type).toBe('invalid_request_error');
  });
});
