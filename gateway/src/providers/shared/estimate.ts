// A cheap usage estimate for answers whose provider reports none (and streams cut before their
// usage event): about four characters per token over the text-bearing JSON string values. No
// tokenizer: it must cost next to nothing on the event loop. Records mark it usage_source=estimated.
import type { Usage } from '../types.ts';

const CHARS_PER_TOKEN = 4;
// String values of the keys that carry prompt or answer text in every supported wire format.
const TEXT_VALUE = /"(?:content|text|response|partial_json|arguments|thinking|reasoning_content|input|inputText|prompt|output_text|delta)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/** Characters of text-bearing string values in a JSON text. */
export function textChars(json: string): number {
  let n = 0;
  TEXT_VALUE.lastIndex = 0;
  for (let m = TEXT_VALUE.exec(json); m; m = TEXT_VALUE.exec(json)) n += (m[1] as string).length;
  return n;
}

export function estimateUsage(requestBody: string | Buffer, outputChars: number): Usage {
  const text = typeof requestBody === 'string' ? requestBody : requestBody.toString('utf8');
  return {
    input_tokens: Math.ceil(textChars(text) / CHARS_PER_TOKEN),
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: Math.ceil(outputChars / CHARS_PER_TOKEN),
    reasoning_tokens: 0,
  };
}
