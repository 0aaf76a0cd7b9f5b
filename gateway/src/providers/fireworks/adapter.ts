// Fireworks AI: OpenAI's wire format.
import { openaiCompatible } from '../openai/compatible.ts';

export const fireworks = openaiCompatible({ id: 'fireworks', displayName: 'Fireworks AI', defaultBaseUrl: 'https://api.fireworks.ai/inference/v1' });
