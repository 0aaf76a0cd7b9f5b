// The Anthropic-compatible surface on the mock upstream: request translation to OpenAI, honest
// stream failure in Anthropic's format, typed errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockReplyText, openaiChatUsageFor } from '@switchyard/mock-upstream';
import { SseParser } from '../upstream/sse.ts';
import { startTestGateway, type TestGateway } from '../testing.ts';

let t: TestGateway;
beforeAll(async () => { t = await startTestGateway(); });
afterAll(async () => { await t.close(); });

const messages = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  fetch(`${t.url}/v1/default/compat/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const ask = { max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'text', text: 'describe this' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } }] }] };

describe('compat messages to an OpenAI upstream', () => {
  it('sends images as data URLs and answers an Anthropic message with the recorded usage', async () => {
    const res = await messages({ model: 'openai/gpt-4o', ...ask });
    const body = t.mock.stats.lastRequest?.body as Record<string, unknown>;
    expect(body.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'describe this' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } }] }]);
    const msg = (await res.json()) as { type: string; content: Array<{ text: string }>; usage: { input_tokens: number } };
    expect(msg.type).toBe('message');
    expect(msg.content[0]?.text).toBe(mockReplyText(body));
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ route: 'compat_messages', provider: 'openai', input_tokens: openaiChatUsageFor(body).prompt_tokens, usage_source: 'provider' });
    expect(msg.usage.input_tokens).toBe(rec.input_tokens);
  });

  it('ends a stream the upstream cut with an Anthropic error event, never message_stop', async () => {
    const res = await messages({ model: 'openai/gpt-4o', ...ask, stream: true }, { 'x-mock-cut-after': '2' });
    const evs = new SseParser().push(Buffer.from(await res.text()));
    expect(evs.map((e) => e.event)).not.toContain('message_stop');
    expect(evs.at(-1)?.event).toBe('error');
    expect(JSON.parse(evs.at(-1)?.data ?? '{}')).toMatchObject({ type: 'error', error: { type: 'SWY_UPSTREAM_STREAM_CUT' } });
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ outcome: 'stream_truncated', usage_source: 'estimated' });
    expect(rec.output_tokens).toBeGreaterThan(0);
  });

  it('maps an upstream error to the Anthropic error shape with its status', async () => {
    const res = await messages({ model: 'openai/gpt-4o', ...ask }, { 'x-mock-status': '429' });
    expect(res.status).toBe(429);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('refuses a model without a provider, and a body without messages', async () => {
    expect(await (await messages({ model: 'gpt-4o', max_tokens: 1, messages: [] })).json()).toMatchObject({ error: { code: 'SWY_MODEL_REQUIRED' } });
    expect(await (await messages({ model: 'openai/gpt-4o', max_tokens: 1 })).json()).toMatchObject({ error: { code: 'SWY_BAD_REQUEST' } });
  });
});
