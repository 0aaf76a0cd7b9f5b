import { describe, expect, it } from 'vitest';
import { anthropicUsageFor, countWords, mockReplyText, openaiChatUsageFor, openaiEmbeddingsUsageFor, promptWordsOf, replyPlanFor } from './usage.ts';

describe('mock usage rule', () => {
  it('counts whitespace-separated words', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('  one\ttwo\nthree  ')).toBe(3);
  });

  it('counts prompt words across string content, text parts, nested tool results and system, plus one per message', () => {
    const body = {
      system: [{ type: 'text', text: 'be brief' }],
      messages: [
        { role: 'user', content: 'hello big world' },
        { role: 'user', content: [{ type: 'text', text: 'two words' }, { type: 'image_url', image_url: { url: 'x y z' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'r1 r2 r3 r4' }] }] },
      ],
    };
    expect(promptWordsOf(body)).toBe(2 + 3 + 2 + 4 + 3);
  });

  it('caps the reply at max_tokens and says it was truncated', () => {
    expect(replyPlanFor({ max_tokens: 3 }, 8)).toEqual({ chunks: ['word0', ' word1', ' word2'], truncated: true });
    expect(replyPlanFor({ max_completion_tokens: 100, max_tokens: 1 }, 2).truncated).toBe(false);
    expect(mockReplyText({}, 3)).toBe('word0 word1 word2');
  });

  it('reports cached and reasoning tokens inside the OpenAI totals', () => {
    const u = openaiChatUsageFor({ messages: [{ role: 'user', content: 'a b c' }] }, { chunks: 2, cachedTokens: 10, cacheWriteTokens: 5, reasoningTokens: 7 });
    expect(u.prompt_tokens).toBe(4 + 10 + 5);
    expect(u.prompt_tokens_details.cached_tokens).toBe(10);
    expect(u.completion_tokens).toBe(2 + 7);
    expect(u.completion_tokens_details.reasoning_tokens).toBe(7);
    expect(u.total_tokens).toBe(19 + 9);
  });

  it('reports Anthropic input tokens without cache reads and writes, as the API does', () => {
    const u = anthropicUsageFor({ messages: [{ role: 'user', content: 'a b c' }] }, { chunks: 2, cachedTokens: 10, cacheWriteTokens: 5, reasoningTokens: 7 });
    expect(u).toEqual({ input_tokens: 4, output_tokens: 9, cache_read_input_tokens: 10, cache_creation_input_tokens: 5 });
  });

  it('counts embeddings input as words per string or length per token array', () => {
    expect(openaiEmbeddingsUsageFor({ input: 'a b c' }).prompt_tokens).toBe(3);
    expect(openaiEmbeddingsUsageFor({ input: ['a b', 'c'] }).total_tokens).toBe(3);
    expect(openaiEmbeddingsUsageFor({ input: [1, 2, 3, 4] }).prompt_tokens).toBe(4);
    expect(openaiEmbeddingsUsageFor({ input: [[1, 2], [3]] }).prompt_tokens).toBe(3);
  });
});
