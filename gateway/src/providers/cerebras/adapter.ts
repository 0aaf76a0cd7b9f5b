// Cerebras: OpenAI's chat format.
import { openaiCompatible } from '../openai/compatible.ts';

export const cerebras = openaiCompatible({ id: 'cerebras', displayName: 'Cerebras', defaultBaseUrl: 'https://api.cerebras.ai/v1', embeddingsPath: null });
