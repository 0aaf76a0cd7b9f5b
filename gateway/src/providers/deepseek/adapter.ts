// DeepSeek: OpenAI's wire format; cache hits as prompt_cache_hit_tokens, reasoning as reasoning_content.
import { openaiCompatible } from '../openai/compatible.ts';

export const deepseek = openaiCompatible({ id: 'deepseek', displayName: 'DeepSeek', defaultBaseUrl: 'https://api.deepseek.com', embeddingsPath: null });
