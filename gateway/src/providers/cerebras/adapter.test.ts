import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('cerebras', {});

describe('cerebras adapter', () => {
  it('defaults to its public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://api.cerebras.ai/v1');
    expect(adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(adapter.nativeUrl(baseUrl, '/chat/completions', '')).toBe('https://api.cerebras.ai/v1/chat/completions');
  });

  it('keeps the model name with its version as the upstream model', () => {
    expect(adapter.chat?.request({ model: 'cerebras/llama3.1-8b', messages: [] }, 'llama3.1-8b')).toMatchObject({ path: '/chat/completions', body: { model: 'llama3.1-8b' } });
  });
});
