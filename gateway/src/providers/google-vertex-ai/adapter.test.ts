import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('google-vertex-ai', { project: 'my-project', region: 'europe-west4', api_key: 'ya29.t' });
const claude = '/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict';

describe('google-vertex-ai adapter', () => {
  it('takes the host region from the native path, and the bearer token from config', () => {
    expect(baseUrl).toBe('https://europe-west4-aiplatform.googleapis.com');
    expect(adapter.nativeUrl(baseUrl, claude, '')).toBe(`https://us-east5-aiplatform.googleapis.com${claude}`);
    expect(adapter.authHeaders('ya29.t')).toEqual({ authorization: 'Bearer ya29.t' });
  });

  it('reads Anthropic publisher models in the Anthropic format, Gemini ones in Gemini\'s', () => {
    expect(adapter.inspectNative(claude, { stream: true })).toEqual({ model: 'claude-sonnet-4@20250514', stream: true });
    expect(adapter.formatFor(`https://x${claude}`).streamErrorEvent('SWY_X', 'm')).toContain('event: error');
    expect(adapter.formatFor('https://x/v1/projects/p/locations/r/publishers/google/models/gemini-2.5-flash:generateContent').streamErrorEvent('SWY_X', 'm')).not.toContain('event: error');
  });

  it('sends compat Claude requests to rawPredict with the Vertex API version and no model in the body', () => {
    const call = adapter.chat?.request({ messages: [{ role: 'user', content: 'hi' }] }, 'claude-sonnet-4@20250514');
    expect(call?.path).toBe('/v1/projects/my-project/locations/europe-west4/publishers/anthropic/models/claude-sonnet-4%4020250514:rawPredict');
    expect(call?.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', max_tokens: 4096 });
    expect(call?.body).not.toHaveProperty('model');
    expect(adapter.chat?.request({ messages: [], stream: true }, 'gemini-2.5-flash').path).toBe('/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });
});

describe('google-vertex-ai embeddings', () => {
  it('go to :predict and count tokens from each prediction\'s statistics', () => {
    expect(adapter.embeddings?.request({ input: ['a b', 'c'], dimensions: 256 }, 'text-embedding-005')).toEqual({
      path: '/v1/projects/my-project/locations/europe-west4/publishers/google/models/text-embedding-005:predict',
      body: { instances: [{ content: 'a b' }, { content: 'c' }], parameters: { outputDimensionality: 256 } }, stream: false,
    });
    const answer = { predictions: [{ embeddings: { statistics: { token_count: 2, truncated: false }, values: [0.1, 0.2] } }, { embeddings: { statistics: { token_count: 1, truncated: false }, values: [0.3, 0.4] } }] };
    const url = `${baseUrl}/v1/projects/my-project/locations/europe-west4/publishers/google/models/text-embedding-005:predict`;
    expect(adapter.formatFor(url).usageFromJson(answer, {})).toMatchObject({ input_tokens: 3 });
    expect(adapter.embeddings?.response(answer, 'text-embedding-005')).toMatchObject({ data: [{ index: 0, embedding: [0.1, 0.2] }, { index: 1 }], usage: { prompt_tokens: 3 } });
  });
});
