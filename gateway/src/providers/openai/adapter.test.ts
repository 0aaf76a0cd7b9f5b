import { describe, expect, it } from 'vitest';
import { testProvider } from '../conformance-support.ts';
import { asOpenAiError, isUsageOnlyChunk, openaiUsage } from './format.ts';

const { adapter, baseUrl } = testProvider('openai', {});
const ev = (data: string) => ({ event: undefined, data, raw: `data: ${data}\n\n` });

describe('openai adapter', () => {
  it('defaults to the public API and sends the key as a bearer token', () => {
    expect(baseUrl).toBe('https://api.openai.com/v1');
    expect(adapter.authHeaders('sk-1')).toEqual({ authorization: 'Bearer sk-1' });
  });

  it('asks for stream usage on chat completions only, never on the Responses API', () => {
    const chat = adapter.inspectNative('/chat/completions', { model: 'gpt-4o', stream: true });
    expect(chat.body).toMatchObject({ stream_options: { include_usage: true } });
    expect(adapter.inspectNative('/responses', { model: 'o4-mini', stream: true }).body).toBeUndefined();
    expect(adapter.inspectNative('/chat/completions', { model: 'gpt-4o', stream: true, stream_options: { include_usage: true } }).hideEvent).toBeUndefined();
  });

  it('hides only the usage chunk it asked for', () => {
    expect(isUsageOnlyChunk(ev('{"id":"x","choices":[],"usage":{"prompt_tokens":1}}'))).toBe(true);
    expect(isUsageOnlyChunk(ev('{"id":"x","choices":[{"index":0,"delta":{}}],"usage":{"prompt_tokens":1}}'))).toBe(false);
    expect(isUsageOnlyChunk(ev('{"choices":[],"created":0,"prompt_filter_results":[]}'))).toBe(false);
  });

  it('normalizes usage: cached reads out of input, reasoning inside output', () => {
    expect(openaiUsage({ prompt_tokens: 100, completion_tokens: 40, prompt_tokens_details: { cached_tokens: 30 }, completion_tokens_details: { reasoning_tokens: 25 } }))
      .toEqual({ input_tokens: 70, cached_input_tokens: 30, cache_write_tokens: 0, output_tokens: 40, reasoning_tokens: 25 });
    expect(openaiUsage({ prompt_tokens: 10, completion_tokens: 5, completion_tokens_details: { reasoning_tokens: 7 } }, { reasoningInCompletion: false })?.output_tokens).toBe(12);
  });

  it('reads the error shapes OpenAI-compatible APIs use', () => {
    expect(asOpenAiError({ message: 'm1' }, 400)).toMatchObject({ error: { message: 'm1' } });
    expect(asOpenAiError({ error: 'm2' }, 400)).toMatchObject({ error: { message: 'm2' } });
    expect(asOpenAiError({ errors: [{ code: 1, message: 'm3' }] }, 400)).toMatchObject({ error: { message: 'm3' } });
    expect(asOpenAiError(undefined, 503)).toMatchObject({ error: { message: 'upstream answered 503' } });
  });
});
