import { count, isObject, type Usage } from '../types.ts';

/** Anthropic usage -> normalized. input_tokens already excludes cache reads and writes. */
export function anthropicUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  return {
    input_tokens: count(u.input_tokens),
    cached_input_tokens: count(u.cache_read_input_tokens),
    cache_write_tokens: count(u.cache_creation_input_tokens),
    output_tokens: count(u.output_tokens),
    reasoning_tokens: 0,
  };
}
