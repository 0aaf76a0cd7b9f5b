import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';
import { toGeminiRequest } from './chat.ts';

const { adapter, baseUrl } = testProvider('google-ai-studio', { api_key: 'k' });

describe('google-ai-studio adapter', () => {
  it('reads model and streaming from the path and sends the key in x-goog-api-key', () => {
    expect(baseUrl).toBe('https://generativelanguage.googleapis.com');
    expect(adapter.inspectNative('/v1beta/models/gemini-2.5-flash:streamGenerateContent', {})).toEqual({ model: 'gemini-2.5-flash', stream: true });
    expect(adapter.inspectNative('/v1beta/models/gemini-2.5-flash:generateContent', {})).toEqual({ model: 'gemini-2.5-flash', stream: false });
    expect(adapter.authHeaders('k')).toEqual({ 'x-goog-api-key': 'k' });
  });

  it('puts the model in the compat path and asks for SSE when streaming', () => {
    expect(adapter.chat?.request({ messages: [], stream: true }, 'gemini-2.5-flash').path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(adapter.embeddings?.request({ input: ['a', 'b'] }, 'gemini-embedding-001')).toMatchObject({ path: '/v1beta/models/gemini-embedding-001:batchEmbedContents', body: { requests: [{ model: 'models/gemini-embedding-001' }, {}] } });
  });

  it('answers a tool call with a functionResponse named after the call', () => {
    const req = toGeminiRequest({ messages: [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_0', content: '{"temp":21}' },
    ] });
    expect(req.contents).toEqual([
      { role: 'user', parts: [{ text: 'weather?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }] },
    ]);
  });

  it('maps JSON mode, images and forced tools', () => {
    const req = toGeminiRequest({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } }] }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', additionalProperties: false, properties: {} } } },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
    });
    expect(req.contents).toEqual([{ role: 'user', parts: [{ text: 'what is this' }, { inlineData: { mimeType: 'image/jpeg', data: '/9j/' } }] }]);
    expect(req.generationConfig).toEqual({ responseMimeType: 'application/json', responseSchema: { type: 'object', properties: {} } });
    expect(req.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } });
  });
});
