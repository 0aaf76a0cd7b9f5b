// OpenAI: chat completions, the Responses API and embeddings, all in its own wire format.
import { openaiCompatible } from './compatible.ts';

export const openai = openaiCompatible({ id: 'openai', displayName: 'OpenAI', defaultBaseUrl: 'https://api.openai.com/v1' });
