// Groq: OpenAI's wire format under /openai/v1; stream usage also arrives as x_groq.usage.
import { openaiCompatible } from '../openai/compatible.ts';

export const groq = openaiCompatible({ id: 'groq', displayName: 'Groq', defaultBaseUrl: 'https://api.groq.com/openai/v1' });
