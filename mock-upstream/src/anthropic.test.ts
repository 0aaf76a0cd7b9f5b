import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from './server.ts';
import { parseSse, post, readJson } from './test-helpers.ts';
import { mockReplyText, mockUsageFor } from './usage.ts';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const msg = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1024,
  system: 'you are terse',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hello there' }] }],
};

describe('Anthropic messages', () => {
  it('answers a message with text content, stop_reason and usage in Anthropic fields', async () => {
    const headers = { 'x-mock-cached-tokens': '11', 'x-mock-cache-write-tokens': '5', 'x-mock-reasoning-tokens': '2' };
    const res = await post(`${mock.url}/v1/messages`, msg, headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const body = await readJson(res);
    expect(body).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: mockReplyText(msg) }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 3 + 2 + 1, output_tokens: 8 + 2, cache_creation_input_tokens: 5, cache_read_input_tokens: 11 },
    });
  });

  it('streams message_start, content_block_start, ping, text deltas, content_block_stop, message_delta, message_stop', async () => {
    const res = await post(`${mock.url}/v1/messages`, { ...msg, stream: true }, { 'x-mock-chunks': '4', 'x-mock-cached-tokens': '9' });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = events.map((e) => JSON.parse(e.data));
    data.forEach((d, i) => expect(d.type).toBe(events[i]?.event));
    const expected = mockUsageFor('anthropic', msg, { chunks: 4, cachedTokens: 9 });
    expect(data[0].message.usage).toMatchObject({ input_tokens: expected.input_tokens, cache_read_input_tokens: 9, cache_creation_input_tokens: 0 });
    const text = data.filter((d) => d.type === 'content_block_delta').map((d) => d.delta.text).join('');
    expect(data[3].delta.type).toBe('text_delta');
    expect(text).toBe(mockReplyText(msg, 4));
    expect(data[8]).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } });
  });

  it('stops at max_tokens with stop_reason max_tokens', async () => {
    const body = await readJson(await post(`${mock.url}/v1/messages`, { ...msg, max_tokens: 2 }));
    expect(body.stop_reason).toBe('max_tokens');
    expect(body.usage.output_tokens).toBe(2);
  });

  it('answers errors in the Anthropic error shape', async () => {
    const res = await post(`${mock.url}/v1/messages`, msg, { 'x-mock-status': '529' });
    expect(res.status).toBe(529);
    const body = await readJson(res);
    expect(body).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(body.request_id).toBe(res.headers.get('request-id'));
  });
});
