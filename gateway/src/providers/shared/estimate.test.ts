import { describe, expect, it } from 'vitest';
import { estimateUsage, textChars } from './estimate.ts';

describe('the usage estimate', () => {
  it('counts the characters of text-bearing values only, escapes counted as written', () => {
    expect(textChars('{"id":"chatcmpl-123","choices":[{"delta":{"content":"Hello"}}]}')).toBe(5);
    expect(textChars('{"type":"content_block_delta","delta":{"type":"text_delta","text":"a \\"b\\""}}')).toBe(7);
    expect(textChars('{"delta":{"toolUse":{"input":"{\\"city\\":"}}}')).toBe(10);
  });

  it('is about four characters per token, input from the request and output from the answer', () => {
    expect(estimateUsage('{"model":"m","messages":[{"role":"user","content":"12345678"}]}', 9)).toEqual({
      input_tokens: 2, cached_input_tokens: 0, cache_write_tokens: 0, output_tokens: 3, reasoning_tokens: 0,
    });
  });
});
