// The usage the mock reports is a pure function of the request body and the x-mock-* options, so a
// test can compute the expected figures without calling the mock.
//
// The rule (also in README.md):
// - words(text) = number of whitespace-separated runs in the text.
// - prompt words = words in every message's text (string content, `text` parts, nested `content`
//   such as Anthropic tool_result blocks) + words in the Anthropic `system` field
//   + 1 per message (framing overhead).
// - the reply is `chunks` words ("word0 word1 …", one word per chunk, default 8), capped by
//   max_completion_tokens / max_tokens when that is smaller (finish_reason length / max_tokens).
// - cached and cache-write tokens are a prompt prefix on top of the visible words; reasoning tokens
//   are output on top of the visible chunks. Each provider reports them in its own fields:
//   OpenAI  prompt_tokens = words + cached + cacheWrite (cached_tokens is a subset; OpenAI has no
//           cache-write field), completion_tokens = chunks + reasoning (reasoning_tokens a subset).
//   Anthropic input_tokens = words (excludes cache reads and writes, as the API does),
//           cache_read_input_tokens = cached, cache_creation_input_tokens = cacheWrite,
//           output_tokens = chunks + reasoning (thinking is billed as output).
// - embeddings: prompt_tokens = total_tokens = words of each string input, or the length of each
//   token-array input.

export const DEFAULT_CHUNKS = 8;

export interface MockUsageOptions {
  chunks?: number;
  cachedTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export interface OpenAIChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

export interface OpenAIEmbeddingsUsage {
  prompt_tokens: number;
  total_tokens: number;
}

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

const WORD = /\S+/g;

export function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

// Message content nests (parts, tool_result blocks); the depth cap keeps a hostile body cheap.
function wordsIn(value: unknown, depth: number): number {
  if (typeof value === 'string') return countWords(value);
  if (depth > 6 || value === null || typeof value !== 'object') return 0;
  if (Array.isArray(value)) {
    let sum = 0;
    for (const item of value) sum += wordsIn(item, depth + 1);
    return sum;
  }
  const obj = value as Record<string, unknown>;
  let sum = 0;
  if (typeof obj.text === 'string') sum += countWords(obj.text);
  if (obj.content !== undefined) sum += wordsIn(obj.content, depth + 1);
  return sum;
}

function asRecord(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** Prompt words + 1 per message, for both chat formats (OpenAI messages, Anthropic messages + system). */
export function promptWordsOf(body: unknown): number {
  const b = asRecord(body);
  let sum = 0;
  if (Array.isArray(b.messages)) {
    for (const message of b.messages) sum += 1 + wordsIn(asRecord(message).content, 0);
  }
  if (b.system !== undefined) sum += wordsIn(b.system, 0);
  return sum;
}

export interface ReplyPlan {
  /** Text of each content chunk; joined they are the whole reply. */
  chunks: string[];
  /** True when max tokens cut the reply short. */
  truncated: boolean;
}

const chunkCache: string[] = [];
function chunkText(i: number): string {
  let text = chunkCache[i];
  if (text === undefined) {
    text = i === 0 ? 'word0' : ` word${i}`;
    if (i < 4096) chunkCache[i] = text;
  }
  return text;
}

export function replyPlanFor(body: unknown, chunks: number = DEFAULT_CHUNKS): ReplyPlan {
  const b = asRecord(body);
  const cap = typeof b.max_completion_tokens === 'number' ? b.max_completion_tokens : b.max_tokens;
  let n = chunks;
  let truncated = false;
  if (typeof cap === 'number' && cap >= 0 && cap < n) {
    n = Math.floor(cap);
    truncated = true;
  }
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = chunkText(i);
  return { chunks: out, truncated };
}

function visibleOutput(body: unknown, opts: MockUsageOptions): number {
  return replyPlanFor(body, opts.chunks ?? DEFAULT_CHUNKS).chunks.length;
}

export function openaiChatUsageFor(body: unknown, opts: MockUsageOptions = {}): OpenAIChatUsage {
  const cached = opts.cachedTokens ?? 0;
  const reasoning = opts.reasoningTokens ?? 0;
  const prompt = promptWordsOf(body) + cached + (opts.cacheWriteTokens ?? 0);
  const completion = visibleOutput(body, opts) + reasoning;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function anthropicUsageFor(body: unknown, opts: MockUsageOptions = {}): AnthropicUsage {
  return {
    input_tokens: promptWordsOf(body),
    output_tokens: visibleOutput(body, opts) + (opts.reasoningTokens ?? 0),
    cache_creation_input_tokens: opts.cacheWriteTokens ?? 0,
    cache_read_input_tokens: opts.cachedTokens ?? 0,
  };
}

export function openaiEmbeddingsUsageFor(body: unknown): OpenAIEmbeddingsUsage {
  const input = asRecord(body).input;
  let tokens = 0;
  if (typeof input === 'string') tokens = countWords(input);
  else if (Array.isArray(input)) {
    if (input.every((x) => typeof x === 'number')) tokens = input.length;
    else {
      for (const item of input) {
        if (typeof item === 'string') tokens += countWords(item);
        else if (Array.isArray(item)) tokens += item.length;
      }
    }
  }
  return { prompt_tokens: tokens, total_tokens: tokens };
}

export type MockRoute = 'openai' | 'openai-embeddings' | 'anthropic';

/** The usage the mock will report for `body` on the given route with the given x-mock-* options. */
export function mockUsageFor(route: 'openai', body: unknown, opts?: MockUsageOptions): OpenAIChatUsage;
export function mockUsageFor(route: 'anthropic', body: unknown, opts?: MockUsageOptions): AnthropicUsage;
export function mockUsageFor(route: 'openai-embeddings', body: unknown): OpenAIEmbeddingsUsage;
export function mockUsageFor(
  route: MockRoute,
  body: unknown,
  opts: MockUsageOptions = {},
): OpenAIChatUsage | AnthropicUsage | OpenAIEmbeddingsUsage {
  if (route === 'openai') return openaiChatUsageFor(body, opts);
  if (route === 'anthropic') return anthropicUsageFor(body, opts);
  return openaiEmbeddingsUsageFor(body);
}

/** The reply text the mock will send for `body` (non-streaming `content`, or the streamed deltas joined). */
export function mockReplyText(body: unknown, chunks: number = DEFAULT_CHUNKS): string {
  return replyPlanFor(body, chunks).chunks.join('');
}
