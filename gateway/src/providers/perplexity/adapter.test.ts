import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('perplexity', {});
const ev = (data: string) => ({ event: undefined, data, raw: `data: ${data}\n\n` });

describe('perplexity adapter', () => {
  it('defaults to its public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://api.perplexity.ai');
    expect(adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(adapter.nativeUrl(baseUrl, '/chat/completions', '')).toBe('https://api.perplexity.ai/chat/completions');
  });

  it('treats the finish chunk with usage as the end of a stream without [DONE]', () => {
    const o = adapter.formatFor(baseUrl + '/chat/completions').observeStream();
    o.onEvent(ev('{"id":"p","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":{"prompt_tokens":9,"completion_tokens":1}}'));
    expect(o.completed()).toBe(false);
    o.onEvent(ev('{"id":"p","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":52}}'));
    expect(o.completed()).toBe(true);
    expect(o.usage()).toMatchObject({ input_tokens: 9, output_tokens: 52 });
  });
});
