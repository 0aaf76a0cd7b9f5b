import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('mistral', {});

describe('mistral adapter', () => {
  it('defaults to its public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://api.mistral.ai/v1');
    expect(adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(adapter.nativeUrl(baseUrl, '/chat/completions', '')).toBe('https://api.mistral.ai/v1/chat/completions');
  });

  it('does not add stream_options (usage rides on the final chunk unasked)', () => {
    expect(adapter.inspectNative('/chat/completions', { model: 'mistral-large-latest', stream: true }).body).toBeUndefined();
    expect(adapter.chat?.request({ model: 'x', messages: [], stream: true }, 'mistral-large-latest').body).not.toHaveProperty('stream_options');
  });
});
