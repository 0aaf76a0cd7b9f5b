// OpenRouter: OpenAI's wire format in front of many providers.
import { openaiCompatible } from '../openai/compatible.ts';

export const openrouter = openaiCompatible({ id: 'openrouter', displayName: 'OpenRouter', defaultBaseUrl: 'https://openrouter.ai/api/v1' });
