// Mistral AI: OpenAI's chat format; usage rides on the final chunk without being asked for.
import { openaiCompatible } from '../openai/compatible.ts';

export const mistral = openaiCompatible({ id: 'mistral', displayName: 'Mistral AI', defaultBaseUrl: 'https://api.mistral.ai/v1', streamUsageOption: false });
