import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream, type MockUpstream } from './index.ts';

let mock: MockUpstream;
beforeAll(async () => { mock = await startMockUpstream(); });
afterAll(async () => { await mock.close(); });

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(mock.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const tool = { name: 'get_weather', input_schema: { type: 'object' } };
const ask = { 'x-mock-tool-call': '{"city":"Paris"}' };

describe('x-mock-tool-call', () => {
  it('makes an OpenAI reply call the first tool, whole and streamed in two pieces', async () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }] };
    const whole = (await (await post('/v1/chat/completions', body, ask)).json()) as any;
    expect(whole.choices[0].finish_reason).toBe('tool_calls');
    expect(whole.choices[0].message.tool_calls[0].function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    const text = await (await post('/v1/chat/completions', { ...body, stream: true }, ask)).text();
    const deltas = text.split('\n\n').filter((l) => l.startsWith('data: {')).map((l) => JSON.parse(l.slice(6)).choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '');
    expect(deltas.join('')).toBe('{"city":"Paris"}');
    expect(text).toContain('"finish_reason":"tool_calls"');
  });

  it('makes an Anthropic reply end with a tool_use block', async () => {
    const body = { model: 'm', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }], tools: [tool] };
    const whole = (await (await post('/v1/messages', body, ask)).json()) as any;
    expect(whole.stop_reason).toBe('tool_use');
    expect(whole.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Paris' } });
    const text = await (await post('/v1/messages', { ...body, stream: true }, ask)).text();
    expect(text).toContain('"input_json_delta"');
    expect(text).toContain('"stop_reason":"tool_use"');
  });

  it('refuses arguments that are not a JSON object', async () => {
    const res = await post('/v1/chat/completions', { model: 'm', messages: [] }, { 'x-mock-tool-call': '[1]' });
    expect(res.status).toBe(400);
  });
});
