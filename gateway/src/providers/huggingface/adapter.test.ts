import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('huggingface', {});

describe('huggingface adapter', () => {
  it('defaults to its public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://router.huggingface.co/v1');
    expect(adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(adapter.nativeUrl(baseUrl, '/chat/completions', '')).toBe('https://router.huggingface.co/v1/chat/completions');
  });

  it('keeps the :provider suffix of router models', () => {
    expect(adapter.chat?.request({ messages: [] }, 'meta-llama/Llama-3.1-8B-Instruct:cerebras').body).toMatchObject({ model: 'meta-llama/Llama-3.1-8B-Instruct:cerebras' });
  });
});
