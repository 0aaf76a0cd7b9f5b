import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';

const account = '0123456789abcdef0123456789abcdef';
const { adapter, baseUrl } = testProvider('workers-ai', { account_id: account, api_key: 'cf' });

describe('workers-ai adapter', () => {
  it('puts the account id from config in the base URL', () => {
    expect(baseUrl).toBe(`https://api.cloudflare.com/client/v4/accounts/${account}/ai`);
    expect(adapter.authHeaders('cf')).toEqual({ authorization: 'Bearer cf' });
  });

  it('runs /{model} and passes /v1/… to the OpenAI-compatible API', () => {
    expect(adapter.nativeUrl(baseUrl, '/@cf/meta/llama-3.1-8b-instruct', '')).toBe(`${baseUrl}/run/@cf/meta/llama-3.1-8b-instruct`);
    expect(adapter.inspectNative('/@cf/meta/llama-3.1-8b-instruct', { stream: true })).toEqual({ model: '@cf/meta/llama-3.1-8b-instruct', stream: true });
    expect(adapter.nativeUrl(baseUrl, '/v1/chat/completions', '')).toBe(`${baseUrl}/v1/chat/completions`);
    expect(adapter.chat?.request({ messages: [] }, '@cf/meta/llama-3.1-8b-instruct').path).toBe('/v1/chat/completions');
  });

  it('refuses an account id that is not one', () => {
    expect(() => testProvider('workers-ai', { account_id: 'acme' })).toThrow();
  });
});
