import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('xai', {});

describe('xai adapter', () => {
  it('defaults to its public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://api.x.ai/v1');
    expect(adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(adapter.nativeUrl(baseUrl, '/chat/completions', '')).toBe('https://api.x.ai/v1/chat/completions');
  });

  it('adds reasoning tokens to output, since xAI keeps them out of completion_tokens', () => {
    const usage = { prompt_tokens: 32, completion_tokens: 9, completion_tokens_details: { reasoning_tokens: 94 } };
    expect(adapter.formatFor(baseUrl + '/chat/completions').usageFromJson({ usage }, {})).toMatchObject({ output_tokens: 103, reasoning_tokens: 94 });
    expect(adapter.chat?.response({ usage }, 'grok-3-mini')).toMatchObject({ usage: { completion_tokens: 103 } });
    expect(adapter.chat?.openaiNative).toBe(false);
  });
});
