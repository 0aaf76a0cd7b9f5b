import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('openrouter', {});

describe('openrouter adapter', () => {
  it('defaults to its public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://openrouter.ai/api/v1');
    expect(adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(adapter.nativeUrl(baseUrl, '/chat/completions', '')).toBe('https://openrouter.ai/api/v1/chat/completions');
  });

  it('passes SSE comments (OPENROUTER PROCESSING) through untouched and asks for usage', () => {
    expect(adapter.inspectNative('/chat/completions', { model: 'openai/gpt-4o', stream: true }).body).toMatchObject({ model: 'openai/gpt-4o', stream_options: { include_usage: true } });
    const o = adapter.formatFor(baseUrl + '/chat/completions').observeStream();
    o.onEvent({ event: undefined, data: '', raw: ': OPENROUTER PROCESSING\n\n' });
    expect(o.usage()).toBeUndefined();
  });
});
