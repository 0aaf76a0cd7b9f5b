import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';
import { fromAnthropicMessage, JSON_TOOL, toAnthropicRequest } from './chat.ts';
import { fromAnthropicRequest } from './client.ts';
import { AnthropicUsageTracker } from './format.ts';

const { adapter, baseUrl } = testProvider('anthropic', {});

describe('anthropic adapter', () => {
  it('defaults to the public API with x-api-key and an API version', () => {
    expect(baseUrl).toBe('https://api.anthropic.com');
    expect(adapter.authHeaders('k')).toEqual({ 'x-api-key': 'k' });
    expect(adapter.defaultHeaders).toEqual({ 'anthropic-version': '2023-06-01' });
    expect(adapter.messagesPath).toBe('/v1/messages');
  });

  it('turns JSON mode into one forced tool, and its input back into the answer text', () => {
    const req = toAnthropicRequest({ messages: [{ role: 'user', content: 'json please' }], response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object', properties: { a: { type: 'number' } } } } } }, 'claude');
    expect(req.tool_choice).toEqual({ type: 'tool', name: JSON_TOOL });
    expect(req.tools).toEqual([expect.objectContaining({ name: JSON_TOOL, input_schema: { type: 'object', properties: { a: { type: 'number' } } } })]);
    const answer = fromAnthropicMessage({ id: 'm', content: [{ type: 'tool_use', id: 't', name: JSON_TOOL, input: { a: 1 } }], stop_reason: 'tool_use' }, 'claude');
    expect(answer).toMatchObject({ choices: [{ message: { content: '{"a":1}' }, finish_reason: 'stop' }] });
  });

  it('sends images as base64 or URL sources', () => {
    const req = toAnthropicRequest({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } }, { type: 'image_url', image_url: { url: 'https://x.test/a.png' } }] }] }, 'claude');
    expect(req.messages).toEqual([{ role: 'user', content: [
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
      { type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } },
    ] }]);
  });

  it('takes the input side from message_delta when newer API versions repeat it', () => {
    const t = new AnthropicUsageTracker();
    t.feed({ type: 'message_start', message: { usage: { input_tokens: 10, output_tokens: 1 } } });
    t.feed({ type: 'message_delta', usage: { input_tokens: 12, cache_read_input_tokens: 4, output_tokens: 30 } });
    expect(t.current).toEqual({ input_tokens: 12, cached_input_tokens: 4, cache_write_tokens: 0, output_tokens: 30, reasoning_tokens: 0 });
  });

  it('reads an Anthropic request back as the OpenAI request it means (tool results before the next words)', () => {
    const openai = fromAnthropicRequest({
      system: [{ type: 'text', text: 'sys' }], max_tokens: 10, stop_sequences: ['X'],
      messages: [
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'w', input: { c: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'sunny' }, { type: 'text', text: 'thanks' }] },
      ],
      tool_choice: { type: 'any' },
    }, 'gpt-4o');
    expect(openai).toEqual({
      model: 'gpt-4o', max_tokens: 10, stop: ['X'], tool_choice: 'required',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'w', arguments: '{"c":1}' } }] },
        { role: 'tool', tool_call_id: 't1', content: 'sunny' },
        { role: 'user', content: 'thanks' },
      ],
    });
  });
});
