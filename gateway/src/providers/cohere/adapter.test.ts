import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';
import { cohereUsage } from './format.ts';

const { adapter, baseUrl } = testProvider('cohere', { api_key: 'co' });

describe('cohere adapter', () => {
  it('speaks v2 natively and reads its OpenAI compatibility API in OpenAI\'s format', () => {
    expect(baseUrl).toBe('https://api.cohere.com');
    expect(adapter.formatFor(`${baseUrl}/compatibility/v1/chat/completions`).streamErrorEvent('SWY_X', 'm')).not.toContain('message-end');
    expect(adapter.formatFor(`${baseUrl}/v2/chat`).streamErrorEvent('SWY_X', 'm')).toContain('event: message-end');
  });

  it('counts billed units (what is charged), else raw tokens', () => {
    expect(cohereUsage({ billed_units: { input_tokens: 5, output_tokens: 7 }, tokens: { input_tokens: 70, output_tokens: 7 } })).toMatchObject({ input_tokens: 5, output_tokens: 7 });
    expect(cohereUsage({ tokens: { input_tokens: 70, output_tokens: 7 } })).toMatchObject({ input_tokens: 70 });
  });

  it('maps JSON mode and embeddings requests', () => {
    expect(adapter.chat?.request({ messages: [], response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } }, 'command-a-03-2025').body)
      .toMatchObject({ response_format: { type: 'json_object', json_schema: { type: 'object' } } });
    expect(adapter.embeddings?.request({ input: ['a'], dimensions: 256 }, 'embed-v4.0')).toEqual({
      path: '/v2/embed', stream: false, body: { model: 'embed-v4.0', texts: ['a'], input_type: 'search_document', embedding_types: ['float'], output_dimension: 256 },
    });
  });
});
