// Perplexity (Sonar): OpenAI's chat format; every chunk carries usage and the finish chunk ends the stream.
import { openaiCompatible } from '../openai/compatible.ts';

export const perplexity = openaiCompatible({
  id: 'perplexity', displayName: 'Perplexity', defaultBaseUrl: 'https://api.perplexity.ai', streamUsageOption: false, completesOnFinish: true, embeddingsPath: null,
});
