// The OpenAI-compatible surfaces (compat chat and embeddings): any provider's answer in OpenAI's
// format, from the provider's codec.
import { GatewayError } from '../../errors.ts';
import { formatSse } from '../../upstream/sse.ts';
import { isUsageOnlyChunk, openaiStreamError } from '../openai/format.ts';
import { isObject, type ChatCodec, type ChatTranslator, type EmbeddingsCodec, type JsonObject } from '../types.ts';

const DONE = formatSse('[DONE]');

function usageOnly(c: JsonObject): boolean {
  return Array.isArray(c.choices) && c.choices.length === 0 && isObject(c.usage);
}

/** Compat chat: OpenAI chat completions out, whatever the upstream speaks. */
export function openaiChatClient(codec: ChatCodec): ChatTranslator {
  return {
    response: (json, model) => codec.response(json, model),
    error: (json, status) => codec.error(json, status),
    streamErrorEvent: openaiStreamError,
    stream(model, includeUsage) {
      if (codec.openaiNative) {
        // The upstream's own chunks, byte for byte, less [DONE] (end() sends it) and the usage
        // chunk the gateway asked for on behalf of a client that did not.
        return {
          onEvent: (ev) => (ev.data === '[DONE]' || (!includeUsage && isUsageOnlyChunk(ev)) ? '' : typeof ev.raw === 'string' ? ev.raw : ''),
          end: () => DONE,
        };
      }
      const chunks = codec.stream(model);
      return {
        onEvent(ev) {
          let out = '';
          for (const c of chunks.onEvent(ev)) if (includeUsage || !usageOnly(c)) out += formatSse(JSON.stringify(c));
          return out;
        },
        end: () => DONE,
      };
    },
  };
}

/** Compat embeddings: an OpenAI embeddings list out. Embeddings never stream. */
export function embeddingsClient(codec: EmbeddingsCodec): ChatTranslator {
  return {
    response: (json, model) => codec.response(json, model),
    error: (json, status) => codec.error(json, status),
    streamErrorEvent: openaiStreamError,
    stream() {
      throw new GatewayError('SWY_UNSUPPORTED_OPERATION', 'embeddings do not stream');
    },
  };
}
