// Hugging Face Inference Providers: the OpenAI-compatible router.
import { openaiCompatible } from '../openai/compatible.ts';

export const huggingface = openaiCompatible({ id: 'huggingface', displayName: 'Hugging Face', defaultBaseUrl: 'https://router.huggingface.co/v1', embeddingsPath: null });
