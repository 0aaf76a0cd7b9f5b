// xAI (Grok): OpenAI's wire format, except that reasoning_tokens are not part of completion_tokens.
import { openaiCompatible } from '../openai/compatible.ts';

export const xai = openaiCompatible({ id: 'xai', displayName: 'xAI', defaultBaseUrl: 'https://api.x.ai/v1', reasoningInCompletion: false });
