import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicUsageFor, mockReplyText, openaiChatUsageFor } from '@switchyard/mock-upstream';
import { SseParser } from '../upstream/sse.ts';
import { startTestGateway, type TestGateway } from '../testing.ts';
import { splitModel } from './compat-chat.ts';

let t: TestGateway;
beforeAll(async () => { t = await startTestGateway(); });
afterAll(async () => { await t.close(); });

const messages = [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'what is the weather in Paris today' }];

async function chat(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${t.url}/v1/default/compat/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
}

describe('splitModel', () => {
  it('splits on the first slash only', () => {
    expect(splitModel('openrouter/meta/llama')).toEqual({ provider: 'openrouter', model: 'meta/llama' });
  });
  it('refuses a model without a provider', () => {
    expect(() => splitModel('gpt-4o')).toThrow(/provider\/model/);
  });
});

describe('compat chat completions to Anthropic', () => {
  it('translates the request (system, max_tokens) and the response (content, finish_reason, usage)', async () => {
    const res = await chat({ model: 'anthropic/claude-sonnet-4', messages, max_tokens: 64 });
    expect(res.status).toBe(200);
    const upstream = t.mock.stats.lastRequest;
    expect(upstream?.path).toBe('/v1/messages');
    expect(upstream?.body).toMatchObject({ model: 'claude-sonnet-4', system: 'be brief', max_tokens: 64, messages: [{ role: 'user' }] });
    const json = (await res.json()) as any;
    const sentBody = upstream?.body as Record<string, unknown>;
    const expected = anthropicUsageFor(sentBody);
    expect(json.object).toBe('chat.completion');
    expect(json.choices[0].message.content).toBe(mockReplyText(sentBody));
    expect(json.choices[0].finish_reason).toBe('stop');
    expect(json.usage).toMatchObject({ prompt_tokens: expected.input_tokens, completion_tokens: expected.output_tokens });
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ route: 'compat_chat', provider: 'anthropic', model: 'claude-sonnet-4', input_tokens: expected.input_tokens, output_tokens: expected.output_tokens });
  });

  it('streams OpenAI chunks ending in [DONE], with the usage chunk only when asked', async () => {
    for (const includeUsage of [false, true]) {
      const res = await chat({ model: 'anthropic/claude-sonnet-4', messages, stream: true, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) });
      const evs = new SseParser().push(new TextEncoder().encode(await res.text()));
      expect(evs.at(-1)?.data).toBe('[DONE]');
      const chunks = evs.slice(0, -1).map((e) => JSON.parse(e.data));
      expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
      const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      expect(text).toBe(mockReplyText(t.mock.stats.lastRequest?.body));
      expect(chunks.some((c) => c.usage)).toBe(includeUsage);
      const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
      expect(rec.usage_source).toBe('provider');
      expect(rec.output_tokens).toBe(anthropicUsageFor(t.mock.stats.lastRequest?.body as object).output_tokens);
    }
  });

  it('translates tools, tool calls and tool results into Anthropic blocks', async () => {
    await chat({
      model: 'anthropic/claude-sonnet-4',
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      tool_choice: 'required',
    });
    expect(t.mock.stats.lastRequest?.body).toMatchObject({
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'sunny' }] },
      ],
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any' },
    });
  });

  it('maps an upstream error to the OpenAI error shape with the same status', async () => {
    const res = await chat({ model: 'anthropic/claude-sonnet-4', messages }, { 'x-mock-status': '400' });
    expect(res.status).toBe(400);
    const json = (await res.json()) as any;
    expect(typeof json.error.message).toBe('string');
    expect(json.error.type).toBeTruthy();
  });
});

describe('compat chat completions to OpenAI', () => {
  it('passes the body through with the bare model name', async () => {
    const res = await chat({ model: 'openai/gpt-4o-mini', messages });
    expect((t.mock.stats.lastRequest?.body as any).model).toBe('gpt-4o-mini');
    const json = (await res.json()) as any;
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec.input_tokens).toBe(openaiChatUsageFor(t.mock.stats.lastRequest?.body).prompt_tokens);
    expect(json.usage.prompt_tokens).toBe(rec.input_tokens);
  });

  it('hides the usage chunk it requested itself', async () => {
    const res = await chat({ model: 'openai/gpt-4o-mini', messages, stream: true });
    const evs = new SseParser().push(new TextEncoder().encode(await res.text()));
    expect(evs.at(-1)?.data).toBe('[DONE]');
    expect(evs.filter((e) => e.data !== '[DONE]').some((e) => JSON.parse(e.data).usage)).toBe(false);
    const rec = await t.sink.response(res.headers.get('cf-aig-log-id') as string);
    expect(rec.usage_source).toBe('provider');
    expect(rec.output_tokens).toBeGreaterThan(0);
  });
});

describe('compat errors', () => {
  it('404s an unknown provider with a typed error', async () => {
    const res = await chat({ model: 'nope/x', messages });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'SWY_UNKNOWN_PROVIDER' } });
  });
  it('400s a missing model', async () => {
    const res = await chat({ messages });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'SWY_MODEL_REQUIRED' } });
  });
});
