import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('groq', {});
const ev = (data: string) => ({ event: undefined, data, raw: `data: ${data}\n\n` });

describe('groq adapter', () => {
  it('defaults to its public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://api.groq.com/openai/v1');
    expect(adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(adapter.nativeUrl(baseUrl, '/chat/completions', '')).toBe('https://api.groq.com/openai/v1/chat/completions');
  });

  it('reads stream usage from x_groq.usage', () => {
    const o = adapter.formatFor(baseUrl + '/chat/completions').observeStream();
    o.onEvent(ev('{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"req_1","usage":{"prompt_tokens":24,"completion_tokens":377,"total_tokens":401}}}'));
    o.onEvent(ev('[DONE]'));
    expect(o.usage()).toMatchObject({ input_tokens: 24, output_tokens: 377 });
    expect(o.completed()).toBe(true);
  });
});
