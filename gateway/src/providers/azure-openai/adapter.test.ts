import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.ts';
import { testProvider } from '../conformance-support.ts';

const entry = { resource: 'my-resource', resources: ['my-resource', 'other'], api_key: 'k' };
const { adapter, baseUrl } = testProvider('azure-openai', entry);

describe('azure-openai adapter', () => {
  it('maps /{resource}/{deployment}/… onto the resource host of the template, keeping the api-version', () => {
    expect(baseUrl).toBe('https://my-resource.openai.azure.com/openai/deployments');
    expect(adapter.nativeUrl(baseUrl, '/other/gpt-4o/chat/completions', '?api-version=2024-06-01'))
      .toBe('https://other.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-06-01');
    expect(adapter.nativeUrl(baseUrl, '/other/gpt-4o/chat/completions', '')).toContain('?api-version=2024-10-21');
  });

  it('refuses a resource outside the allow-list or not a plain name', () => {
    expect(() => adapter.nativeUrl(baseUrl, '/evil/gpt-4o/chat/completions', '')).toThrow(GatewayError);
    expect(() => adapter.nativeUrl(baseUrl, '/a.b/gpt-4o/chat/completions', '')).toThrow(GatewayError);
  });

  it('sends the key in api-key and takes the deployment as the model', () => {
    expect(adapter.authHeaders('k')).toEqual({ 'api-key': 'k' });
    expect(adapter.inspectNative('/my-resource/gpt-4o-prod/chat/completions', { messages: [] }).model).toBe('gpt-4o-prod');
  });

  it('addresses compat requests to the deployment with the configured api-version', () => {
    expect(adapter.chat?.request({ messages: [] }, 'gpt-4o-prod').path).toBe('/gpt-4o-prod/chat/completions?api-version=2024-10-21');
    expect(adapter.embeddings?.request({ input: 'x' }, 'emb').path).toBe('/emb/embeddings?api-version=2024-10-21');
  });

  it('refuses compat requests when no resource is configured', () => {
    const bare = testProvider('azure-openai', { api_key: 'k' });
    expect(() => bare.adapter.chat?.request({ messages: [] }, 'gpt-4o')).toThrow(/no resource/);
  });
});
