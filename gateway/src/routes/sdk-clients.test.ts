// The official SDKs, unchanged but for their base URL, against the gateway in front of the mock
// upstream: native and compat routes, whole and streamed answers, tool calls, and the records.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicUsageFor, mockReplyText, openaiChatUsageFor, openaiEmbeddingsUsageFor } from '@switchyard/mock-upstream';
import { startTestGateway, type TestGateway } from '../testing.ts';

let t: TestGateway;
beforeAll(async () => { t = await startTestGateway(); });
afterAll(async () => { await t.close(); });

const openaiAt = (path: string) => new OpenAI({ apiKey: 'sk-client', baseURL: `${t.url}/v1/default/${path}`, maxRetries: 0 });
const anthropicAt = (path: string) => new Anthropic({ apiKey: 'sk-ant-client', baseURL: `${t.url}/v1/default/${path}`, maxRetries: 0 });
const toolCall = { headers: { 'x-mock-tool-call': '{"city":"Paris"}' } };
const lastBody = () => t.mock.stats.lastRequest?.body as Record<string, unknown>;
const weatherTool = { type: 'function' as const, function: { name: 'get_weather', description: 'weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
const anthropicTool = { name: 'get_weather', description: 'weather in a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } } };

describe('the openai SDK', () => {
  it('native: creates a completion and records its usage', async () => {
    const { data, response } = await openaiAt('openai').chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'say hi to the gateway' }] }).withResponse();
    expect(data.choices[0]?.message.content).toBe(mockReplyText(lastBody()));
    const rec = await t.sink.response(response.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ route: 'native', provider: 'openai', usage_source: 'provider', input_tokens: openaiChatUsageFor(lastBody()).prompt_tokens });
  });

  it('native: streams a tool call the SDK reassembles', async () => {
    const stream = openaiAt('openai').chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool] }, toolCall);
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
  });

  it('compat: reaches Anthropic with OpenAI tool calls, whole and streamed', async () => {
    const client = openaiAt('compat');
    const whole = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool], max_tokens: 64 }, toolCall);
    expect(whole.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    expect(whole.usage?.completion_tokens).toBe(anthropicUsageFor(lastBody()).output_tokens);

    const stream = await client.chat.completions.create({ model: 'anthropic/claude-sonnet-4', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool], stream: true, stream_options: { include_usage: true } }, toolCall);
    let args = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      args += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(args).toBe('{"city":"Paris"}');
    expect(finish).toBe('tool_calls');
    expect(usage?.prompt_tokens).toBe(anthropicUsageFor(lastBody()).input_tokens);
  });

  it('compat: creates embeddings with usage', async () => {
    const res = await openaiAt('compat').embeddings.create({ model: 'openai/text-embedding-3-small', input: ['one two three', 'four'] });
    expect(res.data).toHaveLength(2);
    expect(res.usage.prompt_tokens).toBe(openaiEmbeddingsUsageFor(lastBody()).prompt_tokens);
  });

  it('sees an upstream error as an APIError with the status', async () => {
    const err = await openaiAt('compat').chat.completions.create({ model: 'anthropic/claude-sonnet-4', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-mock-status': '400' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
  });
});

describe('the @anthropic-ai/sdk', () => {
  it('native: creates a message and records cache-aware usage', async () => {
    const { data, response } = await anthropicAt('anthropic').messages.create({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'hello gateway' }] }, { headers: { 'x-mock-cached-tokens': '3' } }).withResponse();
    expect(data.content[0]).toMatchObject({ type: 'text', text: mockReplyText(lastBody()) });
    const rec = await t.sink.response(response.headers.get('cf-aig-log-id') as string);
    expect(rec).toMatchObject({ provider: 'anthropic', cached_input_tokens: 3, output_tokens: anthropicUsageFor(lastBody()).output_tokens });
  });

  it('native: streams a tool_use block the SDK reassembles', async () => {
    const final = await anthropicAt('anthropic').messages.stream({ model: 'claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'weather?' }], tools: [anthropicTool] }, toolCall).finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
  });

  it('compat: reaches OpenAI through the Messages API, whole and streamed, with tool calls and usage', async () => {
    const client = anthropicAt('compat');
    const whole = await client.messages.create({ model: 'openai/gpt-4o', max_tokens: 64, system: 'be brief', messages: [{ role: 'user', content: 'weather in Paris?' }], tools: [anthropicTool] }, toolCall);
    expect(lastBody()).toMatchObject({ model: 'gpt-4o', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'weather in Paris?' }] });
    expect(whole.stop_reason).toBe('tool_use');
    expect(whole.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    const expected = openaiChatUsageFor(lastBody());
    expect(whole.usage).toMatchObject({ input_tokens: expected.prompt_tokens, output_tokens: expected.completion_tokens });

    const stream = client.messages.stream({ model: 'openai/gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: 'weather in Paris?' }], tools: [anthropicTool] }, toolCall);
    const final = await stream.finalMessage();
    expect(final.content.find((b) => b.type === 'text')).toMatchObject({ text: mockReplyText(lastBody()) });
    expect(final.content.find((b) => b.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage.output_tokens).toBe(openaiChatUsageFor(lastBody()).completion_tokens);
    expect(final.usage.input_tokens).toBe(openaiChatUsageFor(lastBody()).prompt_tokens);
  });

  it('compat: reaches Anthropic itself unchanged', async () => {
    const msg = await anthropicAt('compat').messages.create({ model: 'anthropic/claude-sonnet-4', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] });
    expect(lastBody()).toMatchObject({ model: 'claude-sonnet-4', max_tokens: 64 });
    expect(msg.usage.output_tokens).toBe(anthropicUsageFor(lastBody()).output_tokens);
  });

  it('sees an upstream error as an APIError with the status', async () => {
    const err = await anthropicAt('compat').messages.create({ model: 'openai/gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-mock-status': '429' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err as InstanceType<typeof Anthropic.APIError>).status).toBe(429);
  });
});
