// Together AI: OpenAI's wire format.
import { openaiCompatible } from '../openai/compatible.ts';

export const together = openaiCompatible({ id: 'together', displayName: 'Together AI', defaultBaseUrl: 'https://api.together.xyz/v1' });
