import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const { adapter, baseUrl } = testProvider('together', {});

describe('together adapter', () => {
  it('defaults to its public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://api.together.xyz/v1');
    expect(adapter.authHeaders('k')).toEqual({ authorization: 'Bearer k' });
    expect(adapter.nativeUrl(baseUrl, '/chat/completions', '')).toBe('https://api.together.xyz/v1/chat/completions');
  });

  it('sends compat embeddings to /embeddings with the bare model', () => {
    expect(adapter.embeddings?.request({ model: 'together/BAAI/bge-large-en-v1.5', input: 'hi' }, 'BAAI/bge-large-en-v1.5')).toEqual({ path: '/embeddings', body: { model: 'BAAI/bge-large-en-v1.5', input: 'hi' }, stream: false });
  });
});
