import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('deepseek', {});

describe('deepseek adapter', () => {
  it('defaults to its public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://api.deepseek.com');
    expect(adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(adapter.nativeUrl(baseUrl, '/chat/completions', '')).toBe('https://api.deepseek.com/chat/completions');
  });

  it('counts prompt_cache_hit_tokens as cached input', () => {
    expect(adapter.formatFor(baseUrl + '/chat/completions').usageFromJson({ usage: { prompt_tokens: 100, completion_tokens: 3, prompt_cache_hit_tokens: 60, prompt_cache_miss_tokens: 40 } }, {}))
      .toMatchObject({ input_tokens: 40, cached_input_tokens: 60, output_tokens: 3 });
  });
  it('has no embeddings API', () => expect(adapter.embeddings).toBeUndefined());
});
