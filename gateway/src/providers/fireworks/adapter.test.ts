import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('fireworks', {});

describe('fireworks adapter', () => {
  it('defaults to its public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://api.fireworks.ai/inference/v1');
    expect(adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(adapter.nativeUrl(baseUrl, '/chat/completions', '')).toBe('https://api.fireworks.ai/inference/v1/chat/completions');
  });

  it('keeps account-scoped model paths whole', () => {
    expect(adapter.inspectNative('/chat/completions', { model: 'accounts/fireworks/models/llama-v3p1-8b-instruct' }).model).toBe('accounts/fireworks/models/llama-v3p1-8b-instruct');
  });
});
